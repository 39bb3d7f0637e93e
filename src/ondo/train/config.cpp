// Model-shape validation and the trainer's random generator. Layer: train.
#include "ondo/train/config.h"

#include <cmath>

namespace ondo::train {

Status validate_config(const ModelConfig& c) {
  auto bad = [](const std::string& what) { return make_error(ErrorCode::InvalidArgument, "model shape: " + what); };
  if (c.n_vocab < 2) return bad("vocabulary size " + std::to_string(c.n_vocab) + " is too small");
  if (c.n_embd < 2 || c.n_layer < 1 || c.n_head < 1 || c.n_ff < 1 || c.n_ctx < 2) {
    return bad("dim, layers, heads, ffn must be positive and ctx at least 2");
  }
  if (c.n_embd % c.n_head != 0) {
    return bad("dim " + std::to_string(c.n_embd) + " is not a multiple of heads " + std::to_string(c.n_head));
  }
  if (c.head_dim() % 2 != 0) return bad("head size " + std::to_string(c.head_dim()) + " must be even (RoPE pairs)");
  if (c.n_head_kv < 1 || c.n_head % c.n_head_kv != 0) {
    return bad("kv-heads " + std::to_string(c.n_head_kv) + " does not divide heads " + std::to_string(c.n_head));
  }
  return ok_status();
}

namespace {
uint64_t splitmix(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Rng::Rng(uint64_t seed) {
  uint64_t s = seed;
  for (uint64_t& v : state) v = splitmix(s);
}

uint64_t Rng::next() {
  const uint64_t result = rotl(state[1] * 5, 7) * 9;
  const uint64_t t = state[1] << 17;
  state[2] ^= state[0];
  state[3] ^= state[1];
  state[1] ^= state[2];
  state[0] ^= state[3];
  state[2] ^= t;
  state[3] = rotl(state[3], 45);
  return result;
}

double Rng::uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }

float Rng::normal(float stddev) {
  // u1 in (0, 1] so the log is finite.
  const double u1 = 1.0 - uniform(), u2 = uniform();
  return float(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2)) * stddev;
}

uint64_t Rng::below(uint64_t n) { return next() % n; }

}  // namespace ondo::train
