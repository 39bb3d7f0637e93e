// The subcommand registry of the ondo binary: one row per subcommand, one file each.
// Layer: cli (the only layer that reads the environment or exits the process).
#pragma once

#include <string_view>

namespace ondo::cli {

// A subcommand's entry: argv[0] is the subcommand name. Returns the process exit code.
using CommandFn = int (*)(int argc, char** argv);

struct Command {
  std::string_view name;
  std::string_view summary;
  CommandFn run;
};

int dispatch(int argc, char** argv);

int cmd_info(int argc, char** argv);
int cmd_logits(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_tokenize(int argc, char** argv);
int cmd_embed(int argc, char** argv);
int cmd_detokenize(int argc, char** argv);
int cmd_template(int argc, char** argv);
int cmd_chat(int argc, char** argv);
int cmd_quantize(int argc, char** argv);
int cmd_imatrix(int argc, char** argv);
int cmd_perplexity(int argc, char** argv);
int cmd_gen_model(int argc, char** argv);
int cmd_serve(int argc, char** argv);
int cmd_admin(int argc, char** argv);
int cmd_prompt(int argc, char** argv);
int cmd_train(int argc, char** argv);
int cmd_tokenizer(int argc, char** argv);
int cmd_finetune(int argc, char** argv);
int cmd_lora(int argc, char** argv);
int cmd_eval(int argc, char** argv);
int cmd_detect(int argc, char** argv);
int cmd_jobs(int argc, char** argv);
int cmd_worker(int argc, char** argv);

}  // namespace ondo::cli
