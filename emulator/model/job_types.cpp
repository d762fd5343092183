#include "emulator/model/job_types.hpp"

namespace emu::model {

ToolType JobBaseProperties::tool_type() const {
  if (cntk_settings) return ToolType::kCntk;
  if (py_torch_settings) return ToolType::kPyTorch;
  if (tensor_flow_settings) return ToolType::kTensorFlow;
  if (caffe_settings) return ToolType::kCaffe;
  if (caffe2_settings) return ToolType::kCaffe2;
  if (chainer_settings) return ToolType::kChainer;
  if (custom_mpi_settings) return ToolType::kCustomMpi;
  if (horovod_settings) return ToolType::kHorovod;
  return ToolType::kCustom;
}

}  // namespace emu::model
