// Job params: typed getters and file checks. Layer: jobs.
#include "ondo/jobs/params.h"

#include <fstream>
#include <system_error>

namespace ondo::jobs {

Error param_error(const std::string& name, const std::string& what) {
  return make_error(ErrorCode::InvalidArgument, "params." + name + ": " + what);
}

Result<std::string> get_string(const nlohmann::json& p, const std::string& name, bool required, std::string fallback) {
  auto it = p.find(name);
  if (it == p.end() || it->is_null()) {
    if (required) return param_error(name, "required (a string)");
    return fallback;
  }
  if (!it->is_string() || it->get<std::string>().empty()) return param_error(name, "expected a non-empty string");
  return it->get<std::string>();
}

Result<int64_t> get_int(const nlohmann::json& p, const std::string& name, bool required, int64_t fallback, int64_t lo,
                        int64_t hi) {
  auto it = p.find(name);
  if (it == p.end() || it->is_null()) {
    if (required) return param_error(name, "required (an integer in " + std::to_string(lo) + ".." + std::to_string(hi) + ")");
    return fallback;
  }
  if (!it->is_number_integer()) return param_error(name, "expected an integer, seen " + it->dump());
  const int64_t v = it->get<int64_t>();
  if (v < lo || v > hi) {
    return param_error(name, "expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi) + ", seen " +
                                 std::to_string(v));
  }
  return v;
}

Result<double> get_double(const nlohmann::json& p, const std::string& name, double fallback, double lo, double hi) {
  auto it = p.find(name);
  if (it == p.end() || it->is_null()) return fallback;
  if (!it->is_number()) return param_error(name, "expected a number, seen " + it->dump());
  const double v = it->get<double>();
  if (!(v >= lo && v <= hi)) return param_error(name, "expected a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return v;
}

Result<bool> get_bool(const nlohmann::json& p, const std::string& name, bool fallback) {
  auto it = p.find(name);
  if (it == p.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return param_error(name, "expected true or false, seen " + it->dump());
  return it->get<bool>();
}

Status check_file(const std::string& name, const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return param_error(name, path + ": is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return param_error(name, path + ": not a readable file");
  return ok_status();
}

Status check_model_file(const std::string& name, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return param_error(name, path + ": the model file is missing");
  if (std::filesystem::is_directory(path, ec)) return param_error(name, path + ": is a directory, not a model file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return param_error(name, path + ": the model file is not readable");
  char magic[4] = {0, 0, 0, 0};
  in.read(magic, 4);
  if (in.gcount() != 4 || std::string(magic, 4) != "GGUF") return param_error(name, path + ": is not a GGUF model file");
  return ok_status();
}

Result<std::filesystem::path> store_file_or_path(store::Store& s, const std::string& name, const std::string& value,
                                                 const std::filesystem::path& scratch) {
  ONDO_ASSIGN_OR_RETURN(std::optional<store::FileRecord> rec, s.find_file(value));
  if (!rec) {
    ONDO_TRY(check_file(name, value));
    return std::filesystem::path(value);
  }
  auto bytes = s.read_file_content(value);
  if (!bytes.ok()) return param_error(name, "file '" + value + "': " + bytes.error().message);
  ONDO_TRY(write_bytes(scratch, *bytes, "the contents of file '" + value + "'"));
  return scratch;
}

Status write_bytes(const std::filesystem::path& path, std::string_view bytes, const std::string& what) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.close();
  if (!out) return make_error(ErrorCode::Internal, path.string() + ": cannot write " + what);
  return ok_status();
}

}  // namespace ondo::jobs
