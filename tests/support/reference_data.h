// Reading ../shared/testdata/reference/<model>.json ("llamacpp-reference-logits/1") and the
// per-type tolerances ondo holds itself to. Test support only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ondo::testing {

struct ReferenceLogits {
  std::string model_file;
  int64_t n_vocab = 0;
  std::vector<int32_t> tokens;
  // Full logits per position when n_vocab <= 4096; otherwise only the last row is full and
  // topk holds (id, logit) pairs per position.
  std::vector<std::vector<float>> logits;
  std::vector<std::vector<std::pair<int32_t, float>>> topk;
  std::vector<float> logits_last;
  std::vector<int32_t> greedy_tokens;
  std::vector<float> greedy_gap;  // margin of each greedy choice over the runner-up
  std::string greedy_text_hex;
};

ReferenceLogits load_reference(const std::filesystem::path& json_path);

// Every reference file name (without .json) in testdata/reference.
std::vector<std::string> reference_names(const std::filesystem::path& testdata);

// The reference names of ONDO_TESTDATA as parameters of a test suite, or one placeholder when
// the test data is missing (the test itself then skips or fails, saying why); and a name as a
// gtest parameter name.
std::vector<std::string> reference_params();
std::string reference_param_name(std::string name);

// The logit agreement ondo holds itself to for a reference model (by file name, i.e. the
// weight-type preset), as max absolute errors per position: at least `typical_share` of the
// positions must be within `typical`, and every position within `max`. Justified in
// tests/model/forward_ref_test.cpp.
struct LogitTolerance {
  float typical = 0.0f;
  float max = 0.0f;
  float typical_share = 1.0f;
};
LogitTolerance logit_tolerance(const std::string& name);

}  // namespace ondo::testing
