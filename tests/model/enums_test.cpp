#include "emulator/model/enums.hpp"

#include <cctype>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace emu::model {
namespace {

// Every enumerator's wire string parses back to it, also in other cases.
template <typename E>
void expect_wire_strings(const std::vector<std::pair<E, std::string>>& expected,
                         std::optional<E> (*parse)(std::string_view)) {
  for (const auto& [value, wire] : expected) {
    EXPECT_EQ(to_string(value), wire);
    EXPECT_EQ(parse(wire), value) << wire;
    std::string upper = wire;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(parse(upper), value) << upper;
  }
  EXPECT_EQ(parse(""), std::nullopt);
  EXPECT_EQ(parse("no-such-value"), std::nullopt);
}

TEST(EnumsTest, WireStringsMatchTheSpec) {
  expect_wire_strings<VmPriority>(
      {{VmPriority::kDedicated, "dedicated"}, {VmPriority::kLowPriority, "lowpriority"}}, parse_vm_priority);
  expect_wire_strings<DeallocationOption>(
      {{DeallocationOption::kRequeue, "requeue"},
       {DeallocationOption::kTerminate, "terminate"},
       {DeallocationOption::kWaitForJobCompletion, "waitforjobcompletion"}},
      parse_deallocation_option);
  expect_wire_strings<CachingType>({{CachingType::kNone, "none"},
                                    {CachingType::kReadOnly, "readonly"},
                                    {CachingType::kReadWrite, "readwrite"}},
                                   parse_caching_type);
  expect_wire_strings<StorageAccountType>(
      {{StorageAccountType::kStandardLrs, "Standard_LRS"}, {StorageAccountType::kPremiumLrs, "Premium_LRS"}},
      parse_storage_account_type);
  expect_wire_strings<JobPriority>(
      {{JobPriority::kLow, "low"}, {JobPriority::kNormal, "normal"}, {JobPriority::kHigh, "high"}},
      parse_job_priority);
  expect_wire_strings<ToolType>({{ToolType::kCntk, "cntk"},
                                 {ToolType::kTensorFlow, "tensorflow"},
                                 {ToolType::kCaffe, "caffe"},
                                 {ToolType::kCaffe2, "caffe2"},
                                 {ToolType::kChainer, "chainer"},
                                 {ToolType::kHorovod, "horovod"},
                                 {ToolType::kCustomMpi, "custommpi"},
                                 {ToolType::kCustom, "custom"},
                                 {ToolType::kPyTorch, "pytorch"}},
                                parse_tool_type);
  expect_wire_strings<ProvisioningState>({{ProvisioningState::kCreating, "creating"},
                                          {ProvisioningState::kUpdating, "updating"},
                                          {ProvisioningState::kDeleting, "deleting"},
                                          {ProvisioningState::kSucceeded, "succeeded"},
                                          {ProvisioningState::kFailed, "failed"}},
                                         parse_provisioning_state);
  expect_wire_strings<AllocationState>(
      {{AllocationState::kSteady, "steady"}, {AllocationState::kResizing, "resizing"}},
      parse_allocation_state);
  expect_wire_strings<ExecutionState>({{ExecutionState::kQueued, "queued"},
                                       {ExecutionState::kRunning, "running"},
                                       {ExecutionState::kTerminating, "terminating"},
                                       {ExecutionState::kSucceeded, "succeeded"},
                                       {ExecutionState::kFailed, "failed"}},
                                      parse_execution_state);
  expect_wire_strings<FileType>({{FileType::kFile, "file"}, {FileType::kDirectory, "directory"}},
                                parse_file_type);
  expect_wire_strings<CntkLanguageType>(
      {{CntkLanguageType::kBrainScript, "BrainScript"}, {CntkLanguageType::kPython, "Python"}},
      parse_cntk_language_type);
  expect_wire_strings<PyTorchBackend>(
      {{PyTorchBackend::kTcp, "TCP"}, {PyTorchBackend::kGloo, "Gloo"}, {PyTorchBackend::kMpi, "MPI"}},
      parse_py_torch_backend);
}

TEST(EnumsTest, ParsingIgnoresCaseButNotSpelling) {
  EXPECT_EQ(parse_py_torch_backend("gloo"), PyTorchBackend::kGloo);
  EXPECT_EQ(parse_vm_priority("LowPriority"), VmPriority::kLowPriority);
  EXPECT_EQ(parse_storage_account_type("premium_lrs"), StorageAccountType::kPremiumLrs);
  EXPECT_EQ(parse_vm_priority("low priority"), std::nullopt);
  EXPECT_EQ(parse_storage_account_type("Standard-LRS"), std::nullopt);
  EXPECT_EQ(parse_execution_state("queued "), std::nullopt);
}

}  // namespace
}  // namespace emu::model
