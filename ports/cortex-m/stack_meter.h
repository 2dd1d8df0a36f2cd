// The deepest the stack has been: the stack is filled with a pattern at
// reset, and the lowest word no longer holding it marks the high-water mark.
#ifndef LOCUS_PORTS_CORTEX_M_STACK_METER_H_
#define LOCUS_PORTS_CORTEX_M_STACK_METER_H_

#include <stddef.h>

namespace locus::port {

// Called once at reset, before main.
void paint_stack();
// Bytes of stack used since paint_stack().
size_t stack_high_water();

}  // namespace locus::port

#endif  // LOCUS_PORTS_CORTEX_M_STACK_METER_H_
