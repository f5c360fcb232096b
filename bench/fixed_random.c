/* Preloaded into tshark for the callgrind runs only (bench/run.sh): Wireshark's
 * wmem_map hashes with one multiplier drawn by g_random_int() per process, so
 * how often its keys collide, and with it the instruction count, changes from
 * run to run (up to ~250 instructions a frame on the non-mail capture). With a
 * constant every run of the same build counts the same. */
#include <stdint.h>

uint32_t g_random_int(void);

uint32_t g_random_int(void)
{
    return 0x9E3779B1u;   /* odd, as the multiplier must be */
}
