// Writing a trained model as a standard llama GGUF (F32, tied output) that model::Model and
// other GGUF tools load: llama.* hyperparameters, the tokenizer's tokenizer.* metadata and
// tokenizer.chat_template when given. Layer: train.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ondo/core/result.h"
#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"
#include "ondo/train/params.h"

namespace ondo::train {

struct ExportInfo {
  std::string name = "ondo-trained";
  std::string chat_template;  // empty: the tokenizer file's template, if any
};

// Fills `w` with metadata and tensors. `params` (layout.n_params floats) is borrowed and must
// outlive w.write(). Errors: tokenizer size differs from c.n_vocab (InvalidArgument).
Status build_model_gguf(const ModelConfig& c, const ParamLayout& layout, const float* params,
                        const gguf::GgufFile& tokenizer, const ExportInfo& info, gguf::Writer& w);

// build_model_gguf + atomic write to `path`.
Status export_model(const ModelConfig& c, const ParamLayout& layout, const float* params,
                    const gguf::GgufFile& tokenizer, const ExportInfo& info, const std::filesystem::path& path);

}  // namespace ondo::train
