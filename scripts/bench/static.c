// SPDX-License-Identifier: GPL-2.0
/* Static program for the events workload: nothing to exec but itself. */
int main(void)
{
	return 0;
}
