#include "ports/cortex-m/stack_meter.h"

#include <stdint.h>

extern "C" uint32_t __stack_bottom__, __stack_top__;

namespace locus::port {
namespace {
constexpr uint32_t kPattern = 0xC0DEFACEu;
}  // namespace

void paint_stack() {
  uint32_t* sp;
  asm volatile("mov %0, sp" : "=r"(sp));
  // Leave the words this function and its caller are using (below sp is free).
  for (volatile uint32_t* p = &__stack_bottom__; p < sp - 16; ++p) *p = kPattern;
}

size_t stack_high_water() {
  const uint32_t* p = &__stack_bottom__;
  while (p < &__stack_top__ && *p == kPattern) ++p;
  return static_cast<size_t>(reinterpret_cast<uintptr_t>(&__stack_top__) -
                             reinterpret_cast<uintptr_t>(p));
}

}  // namespace locus::port
