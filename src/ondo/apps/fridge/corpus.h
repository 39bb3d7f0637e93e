// The recipe corpus the fridge app seeds its recipe collection with: the dishes of
// tools/recipe_corpus/recipes.py (the tables the built-in model was trained on), in English and
// Korean. corpus_recipes.cpp is generated from them (tools/recipe_corpus/export_seed.py).
// Layer: apps/fridge. Immutable; safe from any thread.
#pragma once

#include <string>
#include <vector>

namespace ondo::apps::fridge {

struct CorpusRecipe {
  std::string id;        // "corpus-en-01", stable across starts
  std::string language;  // "en" or "ko"
  std::string name;
  std::vector<std::string> ingredients;
  std::vector<std::string> steps;
};

const std::vector<CorpusRecipe>& corpus_recipes();

}  // namespace ondo::apps::fridge
