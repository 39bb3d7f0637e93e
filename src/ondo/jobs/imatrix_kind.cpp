// The imatrix job kind: params into train::compute_imatrix, progress per chunk. Layer: jobs.
#include "ondo/jobs/imatrix_kind.h"

#include "ondo/jobs/params.h"
#include "ondo/model/quantize/imatrix_file.h"
#include "ondo/train/imatrix.h"

namespace ondo::jobs {
namespace {

struct ImatrixParams {
  std::string model, calibration, output;
  int64_t random_chunks = 0, chunk = 512, chunks = 0, seed = 1;
  bool process_output = false, parse_special = false;
};

Result<ImatrixParams> imatrix_params(const nlohmann::json& p, const std::filesystem::path& work_dir) {
  ImatrixParams ip;
  ONDO_ASSIGN_OR_RETURN(ip.model, get_string(p, "model", true));
  ONDO_ASSIGN_OR_RETURN(ip.calibration, get_string(p, "calibration_file", false));
  ONDO_ASSIGN_OR_RETURN(ip.output, get_string(p, "output", false, (work_dir / "imatrix.gguf").string()));
  ONDO_ASSIGN_OR_RETURN(ip.random_chunks, get_int(p, "random_chunks", false, 0, 0, 1 << 20));
  ONDO_ASSIGN_OR_RETURN(ip.chunk, get_int(p, "chunk", false, 512, 2, 1 << 20));
  ONDO_ASSIGN_OR_RETURN(ip.chunks, get_int(p, "chunks", false, 0, 0, 1 << 30));
  ONDO_ASSIGN_OR_RETURN(ip.seed, get_int(p, "seed", false, 1, 0, INT64_MAX));
  ONDO_ASSIGN_OR_RETURN(ip.process_output, get_bool(p, "process_output", false));
  ONDO_ASSIGN_OR_RETURN(ip.parse_special, get_bool(p, "parse_special", false));
  if (ip.calibration.empty() == (ip.random_chunks == 0)) {
    return param_error("calibration_file", "give exactly one of calibration_file (a file id or path) and random_chunks");
  }
  return ip;
}

}  // namespace

Status validate_imatrix_params(const nlohmann::json& params, store::Store* store) {
  ONDO_ASSIGN_OR_RETURN(ImatrixParams ip, imatrix_params(params, "."));
  ONDO_TRY(check_model_file("model", ip.model));
  if (!ip.calibration.empty()) {
    bool in_store = false;
    if (store != nullptr) {
      ONDO_ASSIGN_OR_RETURN(auto rec, store->find_file(ip.calibration));
      in_store = rec.has_value();
    }
    if (!in_store) ONDO_TRY(check_file("calibration_file", ip.calibration));
  }
  return ok_status();
}

Result<nlohmann::json> run_imatrix(JobContext& ctx) {
  ONDO_ASSIGN_OR_RETURN(ImatrixParams ip, imatrix_params(ctx.params(), ctx.work_dir()));
  ONDO_TRY(check_model_file("model", ip.model));
  train::ImatrixOptions o;
  o.model = ip.model;
  if (!ip.calibration.empty()) {
    ONDO_ASSIGN_OR_RETURN(o.source.text_file, store_file_or_path(ctx.store(), "calibration_file", ip.calibration,
                                                                 ctx.work_dir() / "calibration.txt"));
    o.dataset = ip.calibration;
  }
  o.source.random_chunks = int32_t(ip.random_chunks);
  o.source.seed = uint64_t(ip.seed);
  o.source.chunk = int32_t(ip.chunk);
  o.source.max_chunks = int32_t(ip.chunks);
  o.source.parse_special = ip.parse_special;
  o.process_output = ip.process_output;
  int64_t tokens = 0;
  auto m = train::compute_imatrix(o, ctx.pool(), [&](const train::ImatrixProgress& pr) {
    tokens = pr.tokens;
    Progress p;
    p.step = pr.chunk;
    p.total = pr.n_chunks;
    if (pr.seconds > 0) {
      p.tokens_per_s = double(pr.tokens) / pr.seconds;
      if (pr.chunk > 0) p.eta_s = pr.seconds / pr.chunk * (pr.n_chunks - pr.chunk);
    }
    return ctx.progress(p).ok();  // a cancel: compute_imatrix stops after this chunk
  });
  if (!m.ok()) return m.error();
  ONDO_TRY(model::quantize::write_imatrix(*m, ip.output));
  (void)ctx.event("info", "wrote " + ip.output + " (" + std::to_string(m->entries.size()) + " weights)");
  return nlohmann::json{{"imatrix", ip.output},   {"entries", m->entries.size()}, {"chunks", m->chunk_count},
                        {"chunk_size", m->chunk_size}, {"tokens", tokens},         {"datasets", m->datasets}};
}

Result<std::string> resolve_imatrix_param(store::Store& store, const std::string& value) {
  ONDO_ASSIGN_OR_RETURN(std::optional<store::JobRecord> job, store.find_job(value));
  if (!job) {
    ONDO_TRY(check_file("imatrix", value));
    return value;
  }
  if (job->kind != "imatrix") {
    return param_error("imatrix", "job '" + value + "' is of kind " + job->kind + ", not an imatrix job");
  }
  if (job->state != "succeeded") {
    return param_error("imatrix", "imatrix job '" + value + "' has not succeeded (it is " + job->state + ")");
  }
  const nlohmann::json result = nlohmann::json::parse(job->result, nullptr, false);
  if (!result.is_object() || !result.contains("imatrix") || !result["imatrix"].is_string()) {
    return param_error("imatrix", "imatrix job '" + value + "' has no imatrix file in its result");
  }
  const std::string path = result["imatrix"].get<std::string>();
  if (auto st = check_file("imatrix", path); !st.ok()) {
    return param_error("imatrix", "the file of imatrix job '" + value + "', " + path + ", is not readable");
  }
  return path;
}

}  // namespace ondo::jobs
