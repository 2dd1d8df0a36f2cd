// Instructions executed, counted with SysTick under QEMU's -icount.
//
// With `-icount shift=0` QEMU advances its virtual clock by exactly 1 ns per
// guest instruction, and SysTick (CLKSOURCE = processor clock, 25 MHz on
// mps2-an386) ticks every 40 ns of that clock: one tick per 40 instructions.
// The 24-bit counter wraps every 2^24 ticks; an interrupt counts the wraps.
// So a count is exact to within 40 instructions (+ a handful for the wrap
// interrupts). Without -icount the figures mean nothing.
#ifndef LOCUS_PORTS_CORTEX_M_INSTRUCTION_COUNTER_H_
#define LOCUS_PORTS_CORTEX_M_INSTRUCTION_COUNTER_H_

#include <stdint.h>

namespace locus::port {

constexpr uint32_t kInstructionsPerTick = 40;

void instruction_counter_start();
// Instructions since start (resolution kInstructionsPerTick).
uint64_t instructions_now();

}  // namespace locus::port

#endif  // LOCUS_PORTS_CORTEX_M_INSTRUCTION_COUNTER_H_
