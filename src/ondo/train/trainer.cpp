// The training loop. Layer: train.
#include "ondo/train/trainer.h"

#include <algorithm>
#include <chrono>

namespace ondo::train {

Trainer::Trainer(const TrainOptions& opts, core::ComputePool& pool, std::vector<Example> train,
                 std::vector<Example> val, int32_t pad)
    : o_(opts),
      train_(std::move(train)),
      val_(std::move(val)),
      pool_(pool),
      model_(opts.model, opts.batch),
      batcher_(train_, opts.model.n_ctx, opts.seed, pad),
      val_batcher_(val_, opts.model.n_ctx, opts.seed, pad) {
  const ParamLayout& l = model_.layout();
  params_.resize(size_t(l.n_params));
  grads_.assign(size_t(l.n_params), 0.0f);
  adam_.m.assign(size_t(l.n_params), 0.0f);
  adam_.v.assign(size_t(l.n_params), 0.0f);
  Rng rng(opts.seed);
  init_params(l, opts.model, rng, params_.data());
}

double Trainer::evaluate() {
  if (val_.empty()) return -1;
  size_t pos = 0;
  double total = 0;
  int64_t counted = 0, rows = 0;
  Batch b;
  while (rows < o_.eval_rows && val_batcher_.next_in_order(std::min(o_.batch, o_.eval_rows - rows), &pos, b)) {
    int64_t n = 0;
    const core::ComputePool::Lease lease = pool_.acquire(core::Priority::Background);
    const double l =
        model_.loss(params_.data(), b.tokens.data(), b.targets.data(), b.mask.data(), b.B, b.S, &n, lease.pool());
    total += l * double(n);
    counted += n;
    rows += b.B;
  }
  return counted > 0 ? total / double(counted) : -1;
}

std::filesystem::path Trainer::checkpoint_path(const std::string& tag) const {
  return o_.ckpt_dir / ("ckpt-" + tag + ".gguf");
}

Status Trainer::run(const std::function<void(const StepReport&)>& report, const std::atomic<bool>* stop) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const int64_t first = step_;
  int64_t tokens = 0;
  while (step_ < o_.opt.total_steps) {
    if (stop && stop->load()) {
      if (!o_.ckpt_dir.empty()) {
        std::filesystem::create_directories(o_.ckpt_dir);
        ONDO_TRY(save_checkpoint(checkpoint_path("interrupted")));
      }
      return make_error(ErrorCode::Cancelled, "training interrupted at step " + std::to_string(step_));
    }
    batcher_.next(o_.batch, cursor_, batch_);
    std::fill(grads_.begin(), grads_.end(), 0.0f);
    int64_t n = 0;
    StepReport r;
    {
      const core::ComputePool::Lease lease = pool_.acquire(core::Priority::Background);
      r.loss = model_.forward_backward(params_.data(), batch_.tokens.data(), batch_.targets.data(),
                                       batch_.mask.data(), batch_.B, batch_.S, grads_.data(), &n, lease.pool());
      r.lr = lr_at(o_.opt, step_);
      r.grad_norm = adamw_step(o_.opt, step_, model_.layout(), params_.data(), grads_.data(), adam_, lease.pool());
    }
    ++step_;
    tokens += batch_.B * batch_.S;
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    r.step = step_;
    r.tokens_per_s = secs > 0 ? double(tokens) / secs : 0;
    r.eta_s = secs / double(step_ - first) * double(o_.opt.total_steps - step_);
    if ((o_.eval_every > 0 && step_ % o_.eval_every == 0) || step_ == o_.opt.total_steps) r.val_loss = evaluate();
    if (o_.ckpt_every > 0 && step_ % o_.ckpt_every == 0 && !o_.ckpt_dir.empty()) {
      std::filesystem::create_directories(o_.ckpt_dir);
      const auto path = checkpoint_path(std::to_string(step_));
      ONDO_TRY(save_checkpoint(path));
      r.checkpoint = path.string();
    }
    if (report) report(r);
  }
  return ok_status();
}

}  // namespace ondo::train
