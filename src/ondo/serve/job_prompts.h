// The prompt registry as eval jobs see it (issue 17.7): a jobs::PromptResolver over the
// store's prompts, passed to jobs::register_builtin_kinds by `ondo serve` and `ondo worker`
// (the registry lives in serve/, above jobs/). Layer: serve.
// Thread contract: the resolver and the renderers it returns are safe from any thread.
#pragma once

#include "ondo/jobs/eval_kind.h"

namespace ondo::serve {

// Spec "name" (the production label, else the latest version), "name@3" (a version) or
// "name@label". Errors: the registry's (InvalidArgument, NotFound naming the prompt).
jobs::PromptResolver job_prompt_resolver();

}  // namespace ondo::serve
