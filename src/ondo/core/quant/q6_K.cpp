// Reference (scalar) kernels of Q6_K: placeholder until implemented. Layer: core.
#include "ondo/core/check.h"
#include "ondo/core/quant/reference.h"

namespace ondo::core::quant {

void dequantize_row_q6_K(const void*, float*, int64_t) { ONDO_CHECK_MSG(false, "not implemented yet"); }
void quantize_row_q6_K(const float*, void*, int64_t) { ONDO_CHECK_MSG(false, "not implemented yet"); }
float vec_dot_q6_K_q8_K(const void*, const void*, int64_t) { ONDO_CHECK_MSG(false, "not implemented yet"); }

}  // namespace ondo::core::quant
