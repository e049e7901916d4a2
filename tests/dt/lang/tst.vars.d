/* globals, associative arrays keyed by tuples (assigning 0 deletes), self->, this-> */
#pragma D option quiet
int declared;
self int tl;
BEGIN
{
	g = 41;
	g++;
	declared += 5;
	a["x", 1] = 10;
	a["x", 2] = 20;
	a["x", 1] += 1;
	a["x", 2] = 0;
	self->tl = 3;
	this->loc = g + self->tl;
	s = "str";
	names[1] = "one";
	printf("%d %d %d %d %d %d %s %s %s\n", g, declared, a["x", 1], a["x", 2], self->tl,
	    this->loc, s, names[1], names[2]);
	exit(0);
}
