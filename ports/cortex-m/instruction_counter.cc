#include "ports/cortex-m/instruction_counter.h"

namespace locus::port {
namespace {

// SysTick registers (Armv7-M architecture reference manual, B3.3).
volatile uint32_t& kCsr = *reinterpret_cast<volatile uint32_t*>(0xE000E010);
volatile uint32_t& kReload = *reinterpret_cast<volatile uint32_t*>(0xE000E014);
volatile uint32_t& kCurrent = *reinterpret_cast<volatile uint32_t*>(0xE000E018);
constexpr uint32_t kPeriod = 1u << 24;

volatile uint32_t g_wraps = 0;

}  // namespace

extern "C" void locus_systick_handler() { g_wraps = g_wraps + 1; }

void instruction_counter_start() {
  kCsr = 0;
  kReload = kPeriod - 1;
  kCurrent = 0;
  g_wraps = 0;
  kCsr = 0x7;  // enable, interrupt on wrap, processor clock
  // The counter starts at 0 and loads the reload value on its first tick;
  // reading before that would look like a full period has passed.
  while (kCurrent == 0) {
  }
}

uint64_t instructions_now() {
  uint32_t wraps, current;
  do {  // a wrap between the two reads would pair the wrong values
    wraps = g_wraps;
    current = kCurrent;
  } while (wraps != g_wraps);
  const uint64_t ticks = uint64_t{wraps} * kPeriod + (kPeriod - 1 - current);
  return ticks * kInstructionsPerTick;
}

}  // namespace locus::port
