// AVX-512 (F/BW/VL/VNNI) kernels. Layer: core.
#include <immintrin.h>

#include "ondo/core/kernels/dispatch.h"

namespace ondo::core::kernels {

void install_avx512(DType t, QuantOps& ops) { (void)t; (void)ops; }

}  // namespace ondo::core::kernels
