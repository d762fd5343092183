#include "emulator/model/enums.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace emu::model {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Each table lists every enumerator once, in declaration order, with its wire string.
template <typename E, std::size_t N>
using Table = std::array<std::pair<E, std::string_view>, N>;

template <typename E, std::size_t N>
std::string_view name_in(const Table<E, N>& table, E value) {
  for (const auto& [enumerator, name] : table) {
    if (enumerator == value) return name;
  }
  return "unknown";  // only reachable through a cast of an out-of-range integer
}

template <typename E, std::size_t N>
std::optional<E> parse_in(const Table<E, N>& table, std::string_view text) {
  for (const auto& [enumerator, name] : table) {
    if (iequals(name, text)) return enumerator;
  }
  return std::nullopt;
}

constexpr Table<VmPriority, 2> kVmPriorities{{
    {VmPriority::kDedicated, "dedicated"},
    {VmPriority::kLowPriority, "lowpriority"},
}};
constexpr Table<DeallocationOption, 3> kDeallocationOptions{{
    {DeallocationOption::kRequeue, "requeue"},
    {DeallocationOption::kTerminate, "terminate"},
    {DeallocationOption::kWaitForJobCompletion, "waitforjobcompletion"},
}};
constexpr Table<CachingType, 3> kCachingTypes{{
    {CachingType::kNone, "none"},
    {CachingType::kReadOnly, "readonly"},
    {CachingType::kReadWrite, "readwrite"},
}};
constexpr Table<StorageAccountType, 2> kStorageAccountTypes{{
    {StorageAccountType::kStandardLrs, "Standard_LRS"},
    {StorageAccountType::kPremiumLrs, "Premium_LRS"},
}};
constexpr Table<JobPriority, 3> kJobPriorities{{
    {JobPriority::kLow, "low"},
    {JobPriority::kNormal, "normal"},
    {JobPriority::kHigh, "high"},
}};
constexpr Table<ToolType, 9> kToolTypes{{
    {ToolType::kCntk, "cntk"},
    {ToolType::kTensorFlow, "tensorflow"},
    {ToolType::kCaffe, "caffe"},
    {ToolType::kCaffe2, "caffe2"},
    {ToolType::kChainer, "chainer"},
    {ToolType::kHorovod, "horovod"},
    {ToolType::kCustomMpi, "custommpi"},
    {ToolType::kCustom, "custom"},
    {ToolType::kPyTorch, "pytorch"},
}};
constexpr Table<ProvisioningState, 5> kProvisioningStates{{
    {ProvisioningState::kCreating, "creating"},
    {ProvisioningState::kUpdating, "updating"},
    {ProvisioningState::kDeleting, "deleting"},
    {ProvisioningState::kSucceeded, "succeeded"},
    {ProvisioningState::kFailed, "failed"},
}};
constexpr Table<AllocationState, 2> kAllocationStates{{
    {AllocationState::kSteady, "steady"},
    {AllocationState::kResizing, "resizing"},
}};
constexpr Table<ExecutionState, 5> kExecutionStates{{
    {ExecutionState::kQueued, "queued"},
    {ExecutionState::kRunning, "running"},
    {ExecutionState::kTerminating, "terminating"},
    {ExecutionState::kSucceeded, "succeeded"},
    {ExecutionState::kFailed, "failed"},
}};
constexpr Table<FileType, 2> kFileTypes{{
    {FileType::kFile, "file"},
    {FileType::kDirectory, "directory"},
}};
constexpr Table<CntkLanguageType, 2> kCntkLanguageTypes{{
    {CntkLanguageType::kBrainScript, "BrainScript"},
    {CntkLanguageType::kPython, "Python"},
}};
constexpr Table<PyTorchBackend, 3> kPyTorchBackends{{
    {PyTorchBackend::kTcp, "TCP"},
    {PyTorchBackend::kGloo, "Gloo"},
    {PyTorchBackend::kMpi, "MPI"},
}};

}  // namespace

std::string_view to_string(VmPriority value) { return name_in(kVmPriorities, value); }
std::optional<VmPriority> parse_vm_priority(std::string_view text) { return parse_in(kVmPriorities, text); }

std::string_view to_string(DeallocationOption value) { return name_in(kDeallocationOptions, value); }
std::optional<DeallocationOption> parse_deallocation_option(std::string_view text) {
  return parse_in(kDeallocationOptions, text);
}

std::string_view to_string(CachingType value) { return name_in(kCachingTypes, value); }
std::optional<CachingType> parse_caching_type(std::string_view text) { return parse_in(kCachingTypes, text); }

std::string_view to_string(StorageAccountType value) { return name_in(kStorageAccountTypes, value); }
std::optional<StorageAccountType> parse_storage_account_type(std::string_view text) {
  return parse_in(kStorageAccountTypes, text);
}

std::string_view to_string(JobPriority value) { return name_in(kJobPriorities, value); }
std::optional<JobPriority> parse_job_priority(std::string_view text) {
  return parse_in(kJobPriorities, text);
}

std::string_view to_string(ToolType value) { return name_in(kToolTypes, value); }
std::optional<ToolType> parse_tool_type(std::string_view text) { return parse_in(kToolTypes, text); }

std::string_view to_string(ProvisioningState value) { return name_in(kProvisioningStates, value); }
std::optional<ProvisioningState> parse_provisioning_state(std::string_view text) {
  return parse_in(kProvisioningStates, text);
}

std::string_view to_string(AllocationState value) { return name_in(kAllocationStates, value); }
std::optional<AllocationState> parse_allocation_state(std::string_view text) {
  return parse_in(kAllocationStates, text);
}

std::string_view to_string(ExecutionState value) { return name_in(kExecutionStates, value); }
std::optional<ExecutionState> parse_execution_state(std::string_view text) {
  return parse_in(kExecutionStates, text);
}

std::string_view to_string(FileType value) { return name_in(kFileTypes, value); }
std::optional<FileType> parse_file_type(std::string_view text) { return parse_in(kFileTypes, text); }

std::string_view to_string(CntkLanguageType value) { return name_in(kCntkLanguageTypes, value); }
std::optional<CntkLanguageType> parse_cntk_language_type(std::string_view text) {
  return parse_in(kCntkLanguageTypes, text);
}

std::string_view to_string(PyTorchBackend value) { return name_in(kPyTorchBackends, value); }
std::optional<PyTorchBackend> parse_py_torch_backend(std::string_view text) {
  return parse_in(kPyTorchBackends, text);
}

}  // namespace emu::model
