#include "emulator/engine/vm_size_catalog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace emu::engine {
namespace {

TEST(VmSizeCatalog, FindsSizesWhateverTheCase) {
  const auto& catalog = VmSizeCatalog::builtin();
  const VmSize* nc6 = catalog.find("Standard_NC6");
  ASSERT_NE(nc6, nullptr);
  EXPECT_EQ(catalog.find("STANDARD_NC6"), nc6);
  EXPECT_EQ(catalog.find("standard_nc6"), nc6);
  EXPECT_EQ(nc6->name, "Standard_NC6");
  EXPECT_EQ(nc6->vcpus, 6);
  EXPECT_DOUBLE_EQ(nc6->memory_gb, 56);
  EXPECT_EQ(nc6->gpus, 1);
  EXPECT_EQ(nc6->gpu_model, "Tesla K80");
  EXPECT_EQ(nc6->family, "standardNCFamily");
  EXPECT_TRUE(nc6->low_priority_capable);
  // Both spellings the recipes use for the InfiniBand K80 size.
  EXPECT_NE(catalog.find("Standard_NC24R"), nullptr);
  EXPECT_EQ(catalog.find("Standard_NC24R"), catalog.find("Standard_NC24r"));
}

TEST(VmSizeCatalog, UnknownNamesAreNotFound) {
  const auto& catalog = VmSizeCatalog::builtin();
  EXPECT_EQ(catalog.find(""), nullptr);
  EXPECT_EQ(catalog.find("NC6"), nullptr);
  EXPECT_EQ(catalog.find("Standard_NC6 "), nullptr);
  EXPECT_EQ(catalog.find("Standard_NC7"), nullptr);
}

TEST(VmSizeCatalog, GpuSizesHaveTheirCards) {
  const auto& catalog = VmSizeCatalog::builtin();
  struct Expected {
    const char* name;
    int vcpus;
    double memory_gb;
    int gpus;
    const char* model;
    const char* family;
  };
  for (const Expected& e : {
           Expected{"Standard_NC12", 12, 112, 2, "Tesla K80", "standardNCFamily"},
           Expected{"Standard_NC24", 24, 224, 4, "Tesla K80", "standardNCFamily"},
           Expected{"Standard_NC6s_v2", 6, 112, 1, "Tesla P100", "standardNCv2Family"},
           Expected{"Standard_NC24rs_v2", 24, 448, 4, "Tesla P100", "standardNCv2Family"},
           Expected{"Standard_NC6s_v3", 6, 112, 1, "Tesla V100", "standardNCv3Family"},
           Expected{"Standard_NC24rs_v3", 24, 448, 4, "Tesla V100", "standardNCv3Family"},
           Expected{"Standard_ND6s", 6, 112, 1, "Tesla P40", "standardNDFamily"},
           Expected{"Standard_ND24rs", 24, 448, 4, "Tesla P40", "standardNDFamily"},
           Expected{"Standard_ND40rs_v2", 40, 672, 8, "Tesla V100", "standardNDv2Family"},
           Expected{"Standard_NV6", 6, 56, 1, "Tesla M60", "standardNVFamily"},
           Expected{"Standard_NV24", 24, 224, 4, "Tesla M60", "standardNVFamily"},
       }) {
    const VmSize* size = catalog.find(e.name);
    ASSERT_NE(size, nullptr) << e.name;
    EXPECT_EQ(size->vcpus, e.vcpus) << e.name;
    EXPECT_DOUBLE_EQ(size->memory_gb, e.memory_gb) << e.name;
    EXPECT_EQ(size->gpus, e.gpus) << e.name;
    EXPECT_EQ(size->gpu_model, e.model) << e.name;
    EXPECT_EQ(size->family, e.family) << e.name;
  }
  EXPECT_TRUE(catalog.find("Standard_NC24r")->rdma);
  EXPECT_FALSE(catalog.find("Standard_NC24")->rdma);
}

TEST(VmSizeCatalog, CpuSizesHaveNoGpus) {
  const auto& catalog = VmSizeCatalog::builtin();
  const VmSize* d1 = catalog.find("STANDARD_D1");
  ASSERT_NE(d1, nullptr);
  EXPECT_EQ(d1->vcpus, 1);
  EXPECT_DOUBLE_EQ(d1->memory_gb, 3.5);
  EXPECT_EQ(d1->gpus, 0);
  EXPECT_TRUE(d1->gpu_model.empty());
  EXPECT_EQ(d1->family, "standardDFamily");
  for (const char* name : {"Standard_D15_v2", "Standard_DS15_v2", "Standard_F72s_v2", "Standard_H16mr",
                           "Standard_A4", "Standard_D64s_v3", "Standard_E64_v3", "Standard_F16"}) {
    const VmSize* size = catalog.find(name);
    ASSERT_NE(size, nullptr) << name;
    EXPECT_EQ(size->gpus, 0) << name;
  }
  EXPECT_EQ(catalog.find("Standard_F72s_v2")->vcpus, 72);
  EXPECT_DOUBLE_EQ(catalog.find("Standard_A0")->memory_gb, 0.75);
  EXPECT_TRUE(catalog.find("Standard_DS1_v2")->premium_storage);
  EXPECT_FALSE(catalog.find("Standard_D1_v2")->premium_storage);
}

TEST(VmSizeCatalog, EntriesAreWellFormedAndUnique) {
  const auto& catalog = VmSizeCatalog::builtin();
  EXPECT_GT(catalog.all().size(), 100u);
  std::set<std::string> lower_names;
  for (const VmSize& size : catalog.all()) {
    std::string lower = size.name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_TRUE(lower_names.insert(lower).second) << "duplicate " << size.name;
    EXPECT_EQ(size.name.rfind("Standard_", 0), 0u) << size.name;
    EXPECT_GT(size.vcpus, 0) << size.name;
    EXPECT_GT(size.memory_gb, 0) << size.name;
    EXPECT_EQ(size.gpus > 0, !size.gpu_model.empty()) << size.name;
    EXPECT_EQ(size.family.rfind("standard", 0), 0u) << size.name;
    EXPECT_TRUE(size.family.ends_with("Family")) << size.name;
    EXPECT_EQ(catalog.find(size.name), &size) << size.name;
  }
}

TEST(VmSizeCatalog, FamiliesAndTheirDisplayNames) {
  const auto families = VmSizeCatalog::builtin().families();
  // Every family Batch AI's 2018 usages listed.
  for (const char* family : {"standardDFamily", "standardDv2Family", "standardNCFamily", "standardNCv2Family",
                             "standardNCv3Family", "standardNDFamily", "standardNVFamily"}) {
    EXPECT_NE(std::find(families.begin(), families.end(), family), families.end()) << family;
  }
  EXPECT_EQ(std::set<std::string>(families.begin(), families.end()).size(), families.size());
  EXPECT_EQ(VmSizeCatalog::family_display_name("standardNCv2Family"), "Standard NCv2 Family");
  EXPECT_EQ(VmSizeCatalog::family_display_name("standardDFamily"), "Standard D Family");
}

TEST(VmSizeCatalog, ACustomCatalog) {
  const VmSizeCatalog catalog({VmSize{"Standard_X1", 2, 4, 0, {}, false, "standardXFamily", false, false}});
  ASSERT_EQ(catalog.all().size(), 1u);
  EXPECT_NE(catalog.find("standard_x1"), nullptr);
  EXPECT_EQ(catalog.find("Standard_NC6"), nullptr);
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// The size names that follow each `marker` (found in any case) in `text`, skipping the quotes, colons,
// backslashes and spaces that JSON, JSON inside YAML strings and command lines put in between.
void collect_after(const std::string& text, const std::string& lower_text, std::string_view marker,
                   std::set<std::string>& out) {
  for (std::size_t at = lower_text.find(marker); at != std::string::npos;
       at = lower_text.find(marker, at + 1)) {
    std::size_t i = at + marker.size();
    constexpr std::string_view kBetween = "\\\": \t\r\n";
    while (i < text.size() && kBetween.find(text[i]) != std::string_view::npos) ++i;
    const std::size_t start = i;
    while (i < text.size() && is_name_char(text[i])) ++i;
    const std::string name = text.substr(start, i - start);
    if (lowercase(name).starts_with("standard_")) out.insert(name);
  }
}

// Every vmSize the real inputs name (recipes, spec examples, recordings, the recipes' notes) must be
// in the catalog.
TEST(VmSizeCatalog, KnowsEverySizeTheReferenceMaterialUses) {
  const std::filesystem::path shared(EMU_SHARED_DIR);
  if (!std::filesystem::is_directory(shared / "recipes")) {
    GTEST_SKIP() << "reference material not found at " << shared;
  }
  std::set<std::string> used;
  std::size_t files = 0;
  for (const char* folder : {"recipes", "spec", "recordings"}) {
    if (!std::filesystem::is_directory(shared / folder)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(shared / folder)) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".json" && ext != ".yaml" && ext != ".md")) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream buffer;
      buffer << in.rdbuf();
      const std::string text = buffer.str();
      const std::string lower_text = lowercase(text);
      ++files;
      // "vmSize": "STANDARD_NC6" in JSON and in recorded bodies; "-s Standard_NC24R" in CLI notes.
      for (const std::string_view marker : {"\"vmsize", "-s ", "--vm-size "}) {
        collect_after(text, lower_text, marker, used);
      }
    }
  }
  ASSERT_GT(files, 50u);
  // The scan must have found something, or it proves nothing.
  EXPECT_EQ(used.count("STANDARD_D1"), 1u);
  EXPECT_EQ(used.count("STANDARD_NC6"), 1u);
  EXPECT_EQ(used.count("Standard_NC24R"), 1u);
  for (const std::string& name : used) {
    EXPECT_NE(VmSizeCatalog::builtin().find(name), nullptr) << name << " is used by the reference material";
  }
}

}  // namespace
}  // namespace emu::engine
