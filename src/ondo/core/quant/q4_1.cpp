// Reference (scalar) kernels of Q4_1: placeholder until implemented. Layer: core.
#include "ondo/core/check.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {

void dequantize_row_q4_1(const void*, float*, int64_t) { ONDO_CHECK_MSG(false, "not implemented yet"); }
void quantize_row_q4_1(const float*, void*, int64_t) { ONDO_CHECK_MSG(false, "not implemented yet"); }
float vec_dot_q4_1_q8_1(const void*, const void*, int64_t) { ONDO_CHECK_MSG(false, "not implemented yet"); }

}  // namespace ondo::core::quant
