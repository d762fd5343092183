#pragma once
// The string enums of Batch AI 2018-05-01 as C++ enums, with their exact wire strings. Parsing is
// case-insensitive because the service accepted any case ("Gloo", "gloo"); writing uses the spec form.
//   auto p = parse_vm_priority("LowPriority");   // VmPriority::kLowPriority
//   to_string(*p) == "lowpriority";

#include <optional>
#include <string_view>

namespace emu::model {

enum class VmPriority { kDedicated, kLowPriority };
std::string_view to_string(VmPriority value);
std::optional<VmPriority> parse_vm_priority(std::string_view text);

enum class DeallocationOption { kRequeue, kTerminate, kWaitForJobCompletion };
std::string_view to_string(DeallocationOption value);
std::optional<DeallocationOption> parse_deallocation_option(std::string_view text);

enum class CachingType { kNone, kReadOnly, kReadWrite };
std::string_view to_string(CachingType value);
std::optional<CachingType> parse_caching_type(std::string_view text);

// Wire strings Standard_LRS and Premium_LRS.
enum class StorageAccountType { kStandardLrs, kPremiumLrs };
std::string_view to_string(StorageAccountType value);
std::optional<StorageAccountType> parse_storage_account_type(std::string_view text);

enum class JobPriority { kLow, kNormal, kHigh };
std::string_view to_string(JobPriority value);
std::optional<JobPriority> parse_job_priority(std::string_view text);

// kPyTorch ("pytorch") is not in the swagger enum, but the live service reported it for pyTorch jobs.
enum class ToolType {
  kCntk,
  kTensorFlow,
  kCaffe,
  kCaffe2,
  kChainer,
  kHorovod,
  kCustomMpi,
  kCustom,
  kPyTorch
};
std::string_view to_string(ToolType value);
std::optional<ToolType> parse_tool_type(std::string_view text);

// One enum for every resource: workspaces, experiments, clusters and jobs never use kUpdating.
enum class ProvisioningState { kCreating, kUpdating, kDeleting, kSucceeded, kFailed };
std::string_view to_string(ProvisioningState value);
std::optional<ProvisioningState> parse_provisioning_state(std::string_view text);

enum class AllocationState { kSteady, kResizing };
std::string_view to_string(AllocationState value);
std::optional<AllocationState> parse_allocation_state(std::string_view text);

enum class ExecutionState { kQueued, kRunning, kTerminating, kSucceeded, kFailed };
std::string_view to_string(ExecutionState value);
std::optional<ExecutionState> parse_execution_state(std::string_view text);

enum class FileType { kFile, kDirectory };
std::string_view to_string(FileType value);
std::optional<FileType> parse_file_type(std::string_view text);

// Wire strings BrainScript and Python.
enum class CntkLanguageType { kBrainScript, kPython };
std::string_view to_string(CntkLanguageType value);
std::optional<CntkLanguageType> parse_cntk_language_type(std::string_view text);

// Wire strings TCP, Gloo and MPI (the spec's descriptions; the recipes send "gloo").
enum class PyTorchBackend { kTcp, kGloo, kMpi };
std::string_view to_string(PyTorchBackend value);
std::optional<PyTorchBackend> parse_py_torch_backend(std::string_view text);

}  // namespace emu::model
