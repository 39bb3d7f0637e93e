// The LoRA training loop, its checkpoints and train_lora (lora_trainer.h). Layer: train.
#include "ondo/train/lora/lora_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "ondo/core/check.h"
#include "ondo/gguf/reader.h"
#include "ondo/gguf/writer.h"
#include "ondo/text/chat_template/chat_template.h"
#include "ondo/text/tokenizer.h"

namespace ondo::train::lora {
namespace {

Status invalid(const std::string& m) { return make_error(ErrorCode::InvalidArgument, m); }

std::span<const uint8_t> bytes_of(const std::vector<float>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(float)};
}

Result<std::string> read_all(const std::filesystem::path& p, const char* what) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return make_error(ErrorCode::NotFound, p.string() + ": cannot open the " + what);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Status validate_train_options(const LoraTrainOptions& o) {
  ONDO_TRY(validate_lora_config(o.lora));
  if (!(o.lr > 0) || !std::isfinite(o.lr)) return invalid("learning rate must be a positive number");
  if (o.batch < 1 || o.batch > 4096) return invalid("batch = " + std::to_string(o.batch) + ", expected 1..4096");
  if (o.grad_accum < 1) return invalid("grad_accum = " + std::to_string(o.grad_accum) + ", expected >= 1");
  if (o.epochs < 1 && o.max_steps < 1) return invalid("epochs and max_steps are both < 1: nothing to train");
  if (o.max_steps < 0) return invalid("max_steps must be >= 0");
  if (o.warmup < 0) return invalid("warmup must be >= 0");
  if (o.n_ctx < 2 || o.n_ctx > 1 << 16) return invalid("n_ctx = " + std::to_string(o.n_ctx) + ", expected 2..65536");
  if (!(o.min_lr_ratio >= 0 && o.min_lr_ratio <= 1)) return invalid("min_lr_ratio must be in [0, 1]");
  if (!(o.weight_decay >= 0)) return invalid("weight_decay must be >= 0");
  if (o.checkpoint_every < 0) return invalid("checkpoint_every must be >= 0");
  return ok_status();
}

LoraTrainer::LoraTrainer(const FrozenBase& base, const LoraTrainOptions& o, std::vector<Example> train,
                         std::vector<Example> val, int32_t pad)
    : base_(base),
      o_(o),
      train_(std::move(train)),
      val_(std::move(val)),
      pad_(pad),
      model_(base, o.lora, o.batch, o.n_ctx) {
  const int64_t per_step = o.batch * o.grad_accum;
  const int64_t steps_per_epoch = (int64_t(train_.size()) + per_step - 1) / per_step;
  total_ = o.max_steps > 0 ? o.max_steps : std::max<int64_t>(1, steps_per_epoch * o.epochs);
  const size_t n = size_t(model_.layout().n_params);
  params_.resize(n);
  grads_.assign(n, 0.0f);
  adam_.m.assign(n, 0.0f);
  adam_.v.assign(n, 0.0f);
  Rng rng(o.seed);
  model_.init_params(rng, params_.data());
}

float LoraTrainer::lr_now() const {
  const int64_t warm = std::min(o_.warmup, total_);
  if (warm > 0 && step_ < warm) return o_.lr * float(step_ + 1) / float(warm);
  const double span = double(std::max<int64_t>(1, total_ - warm));
  const double p = std::min(1.0, double(step_ - warm) / span);
  const double f = o_.schedule == LrSchedule::Cosine ? 0.5 * (1.0 + std::cos(3.141592653589793 * p)) : 1.0 - p;
  return float(o_.lr * (o_.min_lr_ratio + (1.0 - o_.min_lr_ratio) * f));
}

void LoraTrainer::next_batch() {
  const int64_t B = o_.batch;
  std::vector<const Example*> rows;
  for (int64_t r = 0; r < B; ++r) {
    if (order_epoch_ != cursor_.epoch) {
      order_.resize(train_.size());
      for (size_t i = 0; i < order_.size(); ++i) order_[i] = uint32_t(i);
      Rng rng(o_.seed * 0x9E3779B97F4A7C15ull + cursor_.epoch + 1);
      for (size_t i = order_.size() - 1; i > 0; --i) std::swap(order_[i], order_[rng.below(i + 1)]);
      order_epoch_ = cursor_.epoch;
    }
    rows.push_back(&train_[order_[cursor_.index]]);
    if (++cursor_.index == train_.size()) cursor_.index = 0, ++cursor_.epoch;
  }
  int64_t S = 1;
  for (const Example* e : rows) S = std::max<int64_t>(S, int64_t(e->tokens.size()) - 1);
  S = std::min<int64_t>(S, o_.n_ctx);
  batch_.B = B, batch_.S = S;
  batch_.tokens.assign(size_t(B * S), pad_);
  batch_.targets.assign(size_t(B * S), pad_);
  batch_.mask.assign(size_t(B * S), 0);
  for (int64_t r = 0; r < B; ++r) {
    const Example& e = *rows[size_t(r)];
    const int64_t n = std::min<int64_t>(S, int64_t(e.tokens.size()) - 1);
    for (int64_t s = 0; s < n; ++s) {
      batch_.tokens[size_t(r * S + s)] = e.tokens[size_t(s)];
      batch_.targets[size_t(r * S + s)] = e.tokens[size_t(s + 1)];
      batch_.mask[size_t(r * S + s)] = e.mask[size_t(s + 1)];
    }
    if (n <= 0 && !e.tokens.empty()) batch_.tokens[size_t(r * S)] = e.tokens[0];
  }
}

double LoraTrainer::train_step(core::ThreadPool& pool, int64_t* tokens) {
  std::fill(grads_.begin(), grads_.end(), 0.0f);
  double loss = 0;
  int64_t toks = 0;
  for (int64_t m = 0; m < o_.grad_accum; ++m) {
    next_batch();
    int64_t n = 0;
    const uint64_t drop_seed = (o_.seed + 0x1234567ull) * 1000003ull + uint64_t(step_) * 4099ull + uint64_t(m);
    loss += model_.forward_backward(params_.data(), batch_.tokens.data(), batch_.targets.data(), batch_.mask.data(),
                                    batch_.B, batch_.S, drop_seed, grads_.data(), &n, pool);
    toks += batch_.B * batch_.S;
  }
  if (o_.grad_accum > 1) {
    const float inv = 1.0f / float(o_.grad_accum);
    for (float& g : grads_) g *= inv;
  }
  OptimizerOptions oo;
  oo.lr = lr_now();
  oo.warmup = 0;
  oo.min_lr_ratio = 1.0f;  // adamw_step's own schedule held constant: lr_now() is the schedule
  oo.total_steps = 1;
  oo.beta2 = 0.999f;
  oo.weight_decay = o_.weight_decay;
  oo.clip = o_.clip;
  adamw_step(oo, step_, model_.layout(), params_.data(), grads_.data(), adam_, pool);
  ++step_;
  if (tokens) *tokens = toks;
  return loss / double(o_.grad_accum);
}

double LoraTrainer::evaluate(core::ThreadPool& pool) {
  if (val_.empty()) return -1;
  double total = 0;
  int64_t counted = 0;
  Batch b;
  for (size_t at = 0; at < val_.size(); at += size_t(o_.batch)) {
    const int64_t B = std::min<int64_t>(o_.batch, int64_t(val_.size() - at));
    int64_t S = 1;
    for (int64_t r = 0; r < B; ++r) S = std::max<int64_t>(S, int64_t(val_[at + size_t(r)].tokens.size()) - 1);
    S = std::min<int64_t>(S, o_.n_ctx);
    b.tokens.assign(size_t(B * S), pad_), b.targets.assign(size_t(B * S), pad_), b.mask.assign(size_t(B * S), 0);
    for (int64_t r = 0; r < B; ++r) {
      const Example& e = val_[at + size_t(r)];
      const int64_t n = std::min<int64_t>(S, int64_t(e.tokens.size()) - 1);
      for (int64_t s = 0; s < n; ++s) {
        b.tokens[size_t(r * S + s)] = e.tokens[size_t(s)];
        b.targets[size_t(r * S + s)] = e.tokens[size_t(s + 1)];
        b.mask[size_t(r * S + s)] = e.mask[size_t(s + 1)];
      }
    }
    int64_t n = 0;
    const double l = model_.loss(params_.data(), b.tokens.data(), b.targets.data(), b.mask.data(), B, S, &n, pool);
    total += l * double(n);
    counted += n;
  }
  return counted > 0 ? total / double(counted) : -1;
}

uint64_t LoraTrainer::fingerprint() const {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](uint64_t v) { h = (h ^ v) * 1099511628211ull; };
  for (int i = 0; i < kTargetCount; ++i) mix(o_.lora.targets[size_t(i)] ? 1 : 0);
  mix(uint64_t(o_.lora.attn.rank)), mix(uint64_t(o_.lora.mlp.rank));
  mix(uint64_t(base_.hp.n_layer)), mix(uint64_t(base_.hp.n_embd)), mix(uint64_t(base_.hp.n_ff));
  return h;
}

Status LoraTrainer::save_checkpoint(const std::filesystem::path& path) const {
  gguf::Writer w;
  w.set_string("general.architecture", "ondo-lora-checkpoint");
  w.set_i64("ondo.lora.step", step_);
  w.set_i64("ondo.lora.adam_t", adam_.t);
  w.set_u64("ondo.lora.epoch", cursor_.epoch);
  w.set_u64("ondo.lora.index", cursor_.index);
  w.set_u64("ondo.lora.seed", o_.seed);
  w.set_u64("ondo.lora.fingerprint", fingerprint());
  w.set_i64("ondo.lora.examples", int64_t(train_.size()));
  const int64_t n = int64_t(params_.size());
  ONDO_TRY(w.add_tensor("lora.params", core::DType::F32, {n}, bytes_of(params_)));
  ONDO_TRY(w.add_tensor("lora.adam_m", core::DType::F32, {n}, bytes_of(adam_.m)));
  ONDO_TRY(w.add_tensor("lora.adam_v", core::DType::F32, {n}, bytes_of(adam_.v)));
  return w.write(path);
}

Status LoraTrainer::load_checkpoint(const std::filesystem::path& path) {
  ONDO_ASSIGN_OR_RETURN(auto f, gguf::GgufFile::open(path));
  ONDO_ASSIGN_OR_RETURN(uint64_t fp, f->get_uint("ondo.lora.fingerprint"));
  ONDO_ASSIGN_OR_RETURN(uint64_t seed, f->get_uint("ondo.lora.seed"));
  ONDO_ASSIGN_OR_RETURN(int64_t examples, f->get_int("ondo.lora.examples"));
  if (fp != fingerprint()) {
    return invalid(path.string() + ": the checkpoint was made with other LoRA targets, ranks or another base");
  }
  if (seed != o_.seed) return invalid(path.string() + ": the checkpoint was made with seed " + std::to_string(seed));
  if (examples != int64_t(train_.size())) {
    return invalid(path.string() + ": the checkpoint was made with " + std::to_string(examples) +
                   " training examples, this run has " + std::to_string(train_.size()));
  }
  ONDO_ASSIGN_OR_RETURN(int64_t step, f->get_int("ondo.lora.step"));
  ONDO_ASSIGN_OR_RETURN(int64_t adam_t, f->get_int("ondo.lora.adam_t"));
  ONDO_ASSIGN_OR_RETURN(uint64_t epoch, f->get_uint("ondo.lora.epoch"));
  ONDO_ASSIGN_OR_RETURN(uint64_t index, f->get_uint("ondo.lora.index"));
  std::vector<float>* dst[] = {&params_, &adam_.m, &adam_.v};
  const char* names[] = {"lora.params", "lora.adam_m", "lora.adam_v"};
  for (int i = 0; i < 3; ++i) {
    const gguf::TensorInfo* t = f->find_tensor(names[i]);
    if (!t || t->type != core::DType::F32 || t->nbytes != dst[i]->size() * sizeof(float)) {
      return make_error(ErrorCode::InvalidFile, path.string() + ": tensor '" + names[i] + "' is missing or mis-sized");
    }
    std::memcpy(dst[i]->data(), t->data, t->nbytes);
  }
  step_ = step, adam_.t = adam_t, cursor_ = {epoch, index};
  return ok_status();
}

AdapterFile LoraTrainer::adapter() const {
  AdapterFile a;
  ONDO_CHECK(base_.file->get_string("general.architecture").ok());
  a.architecture = std::string(base_.file->get_string("general.architecture").value());
  bool any_attn = false;
  for (int i = 0; i <= int(Target::O); ++i) any_attn |= o_.lora.targets[size_t(i)];
  a.alpha = any_attn ? o_.lora.attn.alpha : o_.lora.mlp.alpha;
  a.extra.emplace_back("general.name", gguf::MetaValue::string("ondo LoRA adapter"));
  const auto& ts = model_.layout().tensors;
  for (size_t i = 0; i + 1 < ts.size(); i += 2) {
    const ParamTensor& ta = ts[i];
    const ParamTensor& tb = ts[i + 1];
    AdapterPair p;
    p.weight = ta.name.substr(0, ta.name.size() - 7);
    p.n_in = ta.shape[0], p.rank = ta.shape[1], p.n_out = tb.shape[1];
    p.a.assign(params_.begin() + ta.offset, params_.begin() + ta.offset + ta.size());
    p.b.assign(params_.begin() + tb.offset, params_.begin() + tb.offset + tb.size());
    const bool attn = p.weight.find(".attn_") != std::string::npos;
    const float ga = attn ? o_.lora.attn.alpha : o_.lora.mlp.alpha;
    if (ga != a.alpha) {
      const float f = ga / a.alpha;
      for (float& v : p.b) v *= f;
    }
    a.pairs.push_back(std::move(p));
  }
  return a;
}

Result<LoraTrainResult> train_lora(const LoraTrainOptions& o, const LoraTrainHooks& hooks) {
  ONDO_TRY(validate_train_options(o));
  ONDO_ASSIGN_OR_RETURN(auto base, FrozenBase::open(o.base));
  ONDO_ASSIGN_OR_RETURN(auto tok, text::Tokenizer::from_gguf(*base->file));
  std::string src = o.chat_template;
  if (src.empty()) {
    if (const gguf::Value* v = base->file->find("tokenizer.chat_template")) {
      if (auto s = v->as_string()) src = std::string(*s);
    }
  }
  if (src.empty()) src = std::string(*text::builtin_chat_template("chatml"));
  ONDO_ASSIGN_OR_RETURN(text::ChatTemplate tmpl, text::ChatTemplate::parse(src, "chat template"));
  ONDO_ASSIGN_OR_RETURN(std::string bytes, read_all(o.data, "training data"));
  ONDO_ASSIGN_OR_RETURN(std::vector<Example> train,
                        tokenize_training_file(bytes, o.format, *tok, tmpl, o.n_ctx, o.data.string()));
  std::vector<Example> val;
  if (!o.val_data.empty()) {
    ONDO_ASSIGN_OR_RETURN(std::string vb, read_all(o.val_data, "validation data"));
    ONDO_ASSIGN_OR_RETURN(val, tokenize_training_file(vb, o.format, *tok, tmpl, o.n_ctx, o.val_data.string()));
  }
  const int32_t pad = tok->eos_id() >= 0 ? tok->eos_id() : 0;
  LoraTrainResult res;
  res.train_examples = int64_t(train.size());
  LoraTrainer tr(*base, o, std::move(train), std::move(val), pad);
  if (o.resume && !o.checkpoint.empty() && std::filesystem::exists(o.checkpoint)) {
    ONDO_TRY(tr.load_checkpoint(o.checkpoint));
    res.resumed = true;
  }
  std::unique_ptr<core::ComputePool> own;
  core::ComputePool* cp = o.pool;
  if (!cp) own = std::make_unique<core::ComputePool>(o.threads), cp = own.get();
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const int64_t first = tr.step();
  int64_t tokens = 0;
  while (tr.step() < tr.total_steps()) {
    LoraTrainProgress p;
    int64_t toks = 0;
    {
      const core::ComputePool::Lease lease = cp->acquire(core::Priority::Background);
      p.lr = tr.current_lr();
      p.loss = tr.train_step(lease.pool(), &toks);
      const int64_t s = tr.step();
      if ((o.eval_every > 0 && s % o.eval_every == 0) || s == tr.total_steps()) p.eval_loss = tr.evaluate(lease.pool());
    }
    tokens += toks;
    p.step = tr.step(), p.total = tr.total_steps();
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    p.tokens_per_s = secs > 0 ? double(tokens) / secs : 0;
    p.eta_s = secs / double(p.step - first) * double(p.total - p.step);
    if (res.first_loss < 0) res.first_loss = p.loss;
    res.final_loss = p.loss;
    if (p.eval_loss >= 0) res.eval_loss = p.eval_loss;
    res.tokens_per_s = p.tokens_per_s;
    const bool go_on = !hooks.on_step || hooks.on_step(p);
    const bool periodic = o.checkpoint_every > 0 && p.step % o.checkpoint_every == 0 && p.step < p.total;
    if (!o.checkpoint.empty() && (periodic || !go_on)) ONDO_TRY(tr.save_checkpoint(o.checkpoint));
    if (!go_on) {
      return make_error(ErrorCode::Cancelled, "fine-tuning cancelled at step " + std::to_string(p.step) +
                                                  (o.checkpoint.empty() ? "" : " (checkpoint written)"));
    }
  }
  res.steps = tr.step();
  if (!o.out.empty()) ONDO_TRY(write_adapter_file(tr.adapter(), o.out));
  return res;
}

}  // namespace ondo::train::lora
