/* a program without clauses */
#pragma D option quiet
