// Reference (scalar) kernels of Q5_0: placeholder until implemented. Layer: core.
#include "ondo/core/check.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {

void dequantize_row_q5_0(const void*, float*, int64_t) { ONDO_CHECK_MSG(false, "not implemented yet"); }
void quantize_row_q5_0(const float*, void*, int64_t) { ONDO_CHECK_MSG(false, "not implemented yet"); }
float vec_dot_q5_0_q8_0(const void*, const void*, int64_t) { ONDO_CHECK_MSG(false, "not implemented yet"); }

}  // namespace ondo::core::quant
