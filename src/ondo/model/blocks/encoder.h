// Steps of encode passes: attention within each sequence of a batch, both ways or causal
// (never across sequences), and pooling a sequence's hidden states into one vector.
// Sequences are runs of the batch (Model::encode's contract), listed in s.seq_starts.
// Layer: model.
#pragma once

#include <cstdint>

#include "ondo/core/thread_pool.h"
#include "ondo/model/forward_scratch.h"
#include "ondo/model/hparams.h"

namespace ondo::model::blocks {

// s.attn [T][H*D] = softmax(q k^T / sqrt(D)) v per head, every token of a sequence over
// every token of the same sequence (GQA as in the decoder), from s.q [T][H*D], s.k and
// s.v [T][Hkv*D]. Keys are read in position order, so a sequence's result does not depend
// on the other sequences in the batch.
void bidirectional_attention(core::ThreadPool& pool, const HParams& hp, ForwardScratch& s);

// As bidirectional_attention, but causal: token t of a sequence over the sequence's tokens
// up to t only (decoders run as embedding models: the same attention as decoding the
// sequence through a KV cache, bit for bit, without one).
void causal_sequence_attention(core::ThreadPool& pool, const HParams& hp, ForwardScratch& s);

// out [S][C]: one vector per sequence of x [T][C], in batch order: Mean (sum over positions
// in order, then / n), Cls and Rank (the first token's row; Rank's head runs after),
// Last (the last token's row).
// Requires: pooling != None.
void pool_sequences(Pooling pooling, const ForwardScratch& s, const float* x, int64_t C, float* out);

}  // namespace ondo::model::blocks
