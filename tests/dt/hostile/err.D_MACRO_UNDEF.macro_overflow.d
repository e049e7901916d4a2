pid$55555555555555555::main:entry
{
}
