/* a probe the program does not declare */
/* @@trigger: usdt 1 */
basalt_test$target:::no-such-probe
{
}
