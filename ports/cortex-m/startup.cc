// Reset and fault handling and the vector table for Cortex-M4F on QEMU's
// mps2-an386. No C library start-up code: copy .data, clear .bss, enable the
// FPU (the runtime is built for hard float), run main, report its status
// through semihosting. The project has no static constructors, so none run.
#include <stdint.h>
#include <string.h>

#include "ports/cortex-m/semihosting.h"
#include "ports/cortex-m/stack_meter.h"

extern "C" {
extern uint32_t __data_start__, __data_end__, __data_load__, __bss_start__, __bss_end__,
    __stack_top__;
int main();
void locus_systick_handler();

[[noreturn]] void locus_reset_handler() {
  // CPACR: full access to coprocessors 10 and 11 (the FPU), first, before
  // any code that the compiler may have given floating-point registers.
  *reinterpret_cast<volatile uint32_t*>(0xE000ED88) |= 0xFu << 20;
  asm volatile("dsb\n isb" ::: "memory");
  memcpy(&__data_start__, &__data_load__,
         reinterpret_cast<uintptr_t>(&__data_end__) - reinterpret_cast<uintptr_t>(&__data_start__));
  memset(&__bss_start__, 0,
         reinterpret_cast<uintptr_t>(&__bss_end__) - reinterpret_cast<uintptr_t>(&__bss_start__));
  locus::port::paint_stack();
  locus::port::semihost_exit(main());
}

[[noreturn]] void locus_fault_handler() {
  locus::port::semihost_write("fault: the firmware took a hard fault or an unexpected exception\n");
  locus::port::semihost_exit(99);
}

using Handler = void (*)();

// Initial stack pointer, then the 15 system exceptions; external
// interrupts are not used.
__attribute__((section(".vectors"), used)) const Handler kVectors[16] = {
    reinterpret_cast<Handler>(&__stack_top__),
    locus_reset_handler,
    locus_fault_handler,  // NMI
    locus_fault_handler,  // HardFault
    locus_fault_handler,  // MemManage
    locus_fault_handler,  // BusFault
    locus_fault_handler,  // UsageFault
    nullptr, nullptr, nullptr, nullptr,
    locus_fault_handler,  // SVCall
    locus_fault_handler,  // DebugMonitor
    nullptr,
    locus_fault_handler,  // PendSV
    locus_systick_handler,
};
}
