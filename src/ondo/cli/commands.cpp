// Subcommand table and dispatch. Layer: cli.
#include "ondo/cli/commands.h"

#include <cstdio>
#include <cstring>

#include "ondo/cli/args.h"

namespace ondo::cli {
namespace {

constexpr Command kCommands[] = {
    {"info", "print a model's architecture, hyperparameters, tensor types and size", cmd_info},
    {"logits", "evaluate token ids and print every position's logits as JSON", cmd_logits},
    {"run", "generate a continuation of a prompt", cmd_run},
    {"chat", "chat with a model interactively", cmd_chat},
    {"bench", "measure prompt processing and generation speed", cmd_bench},
    {"tokenize", "print the token ids of a text as a JSON array", cmd_tokenize},
    {"detokenize", "write the text of token ids", cmd_detokenize},
    {"template", "render a chat template for messages", cmd_template},
    {"quantize", "write a model in a llama.cpp quantization preset (Q4_K_M, Q8_0, ...)", cmd_quantize},
    {"imatrix", "compute an importance matrix over calibration text (llama.cpp's imatrix GGUF)", cmd_imatrix},
    {"perplexity", "perplexity of a model on text, and KL divergence from a base model", cmd_perplexity},
    {"embed", "print the embedding vectors (or rerank scores) of texts as JSON", cmd_embed},
    {"serve", "serve models over an OpenAI-compatible HTTP API", cmd_serve},
    {"admin", "`admin keys create|list|revoke`: the API keys of ondo serve's store", cmd_admin},
    {"prompt", "`prompt create|version|label|list|show|diff|render`: the prompt registry of ondo serve's store", cmd_prompt},
    {"train", "train a small llama model from scratch on the CPU and write it as GGUF", cmd_train},
    {"finetune", "LoRA fine-tuning of a GGUF base on the CPU; `finetune compare`: base vs tuned outputs", cmd_finetune},
    {"lora", "`lora merge`: add LoRA adapters into a base model's weights", cmd_lora},
    {"tokenizer", "`tokenizer train`: learn a BPE vocabulary (byte fallback) and write it as GGUF", cmd_tokenizer},
    {"eval", "score a JSONL dataset against one or more models and prompts; `eval compare` two runs", cmd_eval},
    {"detect", "find labelled boxes in photos with a detection network (OpenCV DNN) and print them as JSON", cmd_detect},
    {"jobs", "`jobs list|show|cancel|submit`: the job queue of ondo serve's store", cmd_jobs},
    {"worker", "run the store's queued jobs (fine_tune, train, quantize) until stopped", cmd_worker},
    {"gen-model", "write a random-weight model with a real model's shape (for benchmarks)", cmd_gen_model},
};

void usage() {
  std::fprintf(stderr, "usage: ondo <command> [options]\n\ncommands:\n");
  for (const Command& c : kCommands) {
    std::fprintf(stderr, "  %-12.*s %.*s\n", int(c.name.size()), c.name.data(),
                 int(c.summary.size()), c.summary.data());
  }
  std::fprintf(stderr, "\nrun `ondo <command> --help` for a command's options; `ondo --version` for the version\n");
}

}  // namespace

int dispatch(int argc, char** argv) {
  apply_environment();
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    usage();
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::printf("ondo %s\n", version_text().c_str());
    return 0;
  }
  for (const Command& c : kCommands) {
    if (c.name == argv[1]) return c.run(argc - 1, argv + 1);
  }
  std::fprintf(stderr, "ondo: unknown command '%s'\n", argv[1]);
  usage();
  return 2;
}

}  // namespace ondo::cli
