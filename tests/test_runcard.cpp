// Run cards: defaults, card values and --set overrides in that order; every key and type is
// checked against the defaults, and every error names the card, the key and the value.
#include <gtest/gtest.h>

#include <fstream>

#include "ScratchDirectory.h"
#include "fpgauge/io/RunCard.h"

namespace fpgauge {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kDefaults = R"(
[lattice]
extents = [8, 8, 8, 8]

[action]
name = "wilson"
beta = 6.0

[run]
seed = 1
hot = false
centre = []
)";

fs::path card_file(const test::ScratchDirectory& dir, const std::string& text) {
  const fs::path file = dir / "card.toml";
  std::ofstream(file) << text;
  return file;
}

// The message of the error that loading the card throws, or "" if it loads.
std::string load_error(const fs::path& file, std::vector<std::string> overrides = {}) {
  try {
    RunCard card(file, kDefaults, overrides);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

TEST(RunCard, CardValuesReplaceDefaults) {
  const test::ScratchDirectory dir;
  const RunCard card(card_file(dir, "[action]\nbeta = 5\n[lattice]\nextents = [4, 4, 4, 8]\n"),
                     kDefaults);
  EXPECT_EQ(card.real("action.beta"), 5.0);  // an integer where a number is expected
  EXPECT_EQ(card.integers("lattice.extents"), (std::vector<std::int64_t>{4, 4, 4, 8}));
  EXPECT_EQ(card.string("action.name"), "wilson");
  EXPECT_EQ(card.integer("run.seed"), 1);
  EXPECT_FALSE(card.boolean("run.hot"));
  EXPECT_THROW(card.string("action.beta"), std::logic_error);
  EXPECT_THROW(card.integer("run.nothing"), std::logic_error);
  EXPECT_TRUE(card.reals("run.centre").empty());
}

TEST(RunCard, ArraysOfNumbersTakeIntegersAndRefuseStrings) {
  const test::ScratchDirectory dir;
  const RunCard card(card_file(dir, "[run]\ncentre = [5, 5.5, -1e-1, 0]\n"), kDefaults);
  EXPECT_EQ(card.reals("run.centre"), (std::vector<double>{5.0, 5.5, -0.1, 0.0}));
  const fs::path file = card_file(dir, "[run]\ncentre = [5, \"x\"]\n");
  const RunCard bad(file, kDefaults);
  try {
    (void)bad.reals("run.centre");
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_CONTAINS(e.what(), "run.centre");
    EXPECT_CONTAINS(e.what(), "expected an array of numbers");
  }
  EXPECT_THROW(card.reals("lattice.nothing"), std::logic_error);
}

TEST(RunCard, OverridesApplyAfterTheCard) {
  const test::ScratchDirectory dir;
  const fs::path file = card_file(dir, "[action]\nbeta = 5.0\nname = \"dbw2\"\n");
  const std::vector<std::string> overrides = {
      "action.beta=5.8", "action.name=symanzik", "lattice.extents=[2, 2, 2, 4]", "run.hot=true",
      "run.seed=0x10"};
  const RunCard card(file, kDefaults, overrides);
  EXPECT_EQ(card.real("action.beta"), 5.8);
  EXPECT_EQ(card.string("action.name"), "symanzik");  // a bare word where a string is expected
  EXPECT_EQ(card.integers("lattice.extents"), (std::vector<std::int64_t>{2, 2, 2, 4}));
  EXPECT_TRUE(card.boolean("run.hot"));
  EXPECT_EQ(card.integer("run.seed"), 16);
  const std::vector<std::string> quoted = {"action.name=\"iwasaki\"", "action.name=plaqrect:-0.1"};
  EXPECT_EQ(RunCard(file, kDefaults, quoted).string("action.name"), "plaqrect:-0.1");
  EXPECT_EQ(RunCard(file, kDefaults, {{"action.name=\"iwasaki\""}}).string("action.name"),
            "iwasaki");
}

TEST(RunCard, UnknownKeysAreErrors) {
  const test::ScratchDirectory dir;
  const fs::path misspelt = card_file(dir, "[action]\nbta = 6.0\n");
  std::string message = load_error(misspelt);
  EXPECT_CONTAINS(message, misspelt.string());
  EXPECT_CONTAINS(message, "line 2");
  EXPECT_CONTAINS(message, "unknown key 'action.bta' (known keys of [action]: beta, name)");
  EXPECT_CONTAINS(load_error(card_file(dir, "[hmc]\nsteps = 3\n")),
                  "unknown key 'hmc' (known sections: action, lattice, run)");
  message = load_error(card_file(dir, ""), {"run.sed=3"});
  EXPECT_CONTAINS(message, "--set run.sed=3");
  EXPECT_CONTAINS(message, "unknown key 'run.sed'");
  EXPECT_CONTAINS(load_error(card_file(dir, ""), {"action=3"}), "'action' is a section");
  EXPECT_CONTAINS(load_error(card_file(dir, ""), {"run.seed.x=3"}), "not a section");
  EXPECT_CONTAINS(load_error(card_file(dir, ""), {"run.seed"}), "expected KEY=VALUE");
}

TEST(RunCard, TypeMismatchesNameKeyAndValue) {
  const test::ScratchDirectory dir;
  const fs::path file = card_file(dir, "[action]\nbeta = \"six\"\n");
  std::string message = load_error(file);
  EXPECT_CONTAINS(message, file.string());
  EXPECT_CONTAINS(message, "line 2");
  EXPECT_CONTAINS(message, "action.beta = 'six': expected a number");
  EXPECT_CONTAINS(load_error(card_file(dir, "lattice.extents = [4, \"x\", 4, 4]")),
                  "lattice.extents[1] = 'x': expected an integer");
  EXPECT_CONTAINS(load_error(card_file(dir, "lattice.extents = 4")),
                  "lattice.extents = 4: expected an array like [ 8, 8, 8, 8 ]");
  EXPECT_CONTAINS(load_error(card_file(dir, "action.beta = nan")),
                  "action.beta = nan: expected a finite number");
  EXPECT_CONTAINS(load_error(card_file(dir, "action = 6")), "expected a section [action]");
  message = load_error(card_file(dir, ""), {"run.seed=abc"});
  EXPECT_CONTAINS(message, "--set run.seed=abc: cannot read 'abc' as a TOML value");
  EXPECT_CONTAINS(message, "expected an integer");
  EXPECT_CONTAINS(load_error(card_file(dir, ""), {"run.seed=1.5"}),
                  "run.seed = 1.5: expected an integer");
  EXPECT_CONTAINS(load_error(card_file(dir, ""), {"run.hot=1"}),
                  "run.hot = 1: expected true or false");
  EXPECT_CONTAINS(load_error(card_file(dir, ""), {"run.seed=1\nhot = true"}),
                  "more than one TOML value");
}

TEST(RunCard, UnreadableCardsNameTheFile) {
  const test::ScratchDirectory dir;
  const std::string message = load_error(card_file(dir, "[action\nbeta = 6.0\n"));
  EXPECT_CONTAINS(message, (dir / "card.toml").string());
  EXPECT_CONTAINS(message, "line 1");
  EXPECT_CONTAINS(load_error(dir / "absent.toml"), "absent.toml': cannot open it");
}

TEST(RunCard, RejectNamesKeyAndValue) {
  const test::ScratchDirectory dir;
  const fs::path file = card_file(dir, "lattice.extents = [4, 4, 1, 4]\n");
  const RunCard card(file, kDefaults);
  try {
    card.reject("lattice.extents", "every extent at least 2");
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "run card '" + file.string() +
                  "': lattice.extents = [ 4, 4, 1, 4 ]: expected every extent at least 2");
  }
}

TEST(RunCard, ResolvedCardReloadsToTheSameCard) {
  const test::ScratchDirectory dir;
  const RunCard card(card_file(dir, "[action]\nname = \"iwasaki\"\n"), kDefaults,
                     std::vector<std::string>{"run.seed=7"});
  const fs::path resolved = dir / "run.toml";
  card.write(resolved);
  const RunCard again(resolved, kDefaults);
  EXPECT_EQ(again.string("action.name"), "iwasaki");
  EXPECT_EQ(again.integer("run.seed"), 7);
  EXPECT_EQ(again.real("action.beta"), 6.0);
  EXPECT_TRUE(again.table() == card.table()) << card.to_toml() << again.to_toml();
  EXPECT_THROW(card.write(resolved), std::runtime_error);  // never overwrites unless asked
  card.write(resolved, /*overwrite=*/true);
}

}  // namespace
}  // namespace fpgauge
