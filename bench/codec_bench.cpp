// JSON codec benchmarks: parse + validate a real job body (the TensorFlow distributed recipe) and a
// cluster body (the spec's PutCluster example), and write them back as the API shows them.
// Run: build/bench/codec_bench  (bench/run.sh runs every suite and writes the tables).

#include "emulator/model/cluster_codec.hpp"
#include "emulator/model/job_codec.hpp"

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <string>

namespace {

using namespace emu;

// The TensorFlow-GPU-Distributed recipe's job.json with what the CLI adds: the cluster id and the
// storage account's name and key.
constexpr const char* kJobBody = R"({
  "properties": {
    "cluster": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.BatchAI/workspaces/ws/clusters/nc6"},
    "nodeCount": 2,
    "tensorFlowSettings": {
      "parameterServerCount": 1,
      "workerCount": 2,
      "pythonScriptFilePath": "$AZ_BATCHAI_JOB_MOUNT_ROOT/scripts/tensorflow/mnist_replica.py",
      "masterCommandLineArgs": "--job_name=worker --num_gpus=1 --ps_hosts=$AZ_BATCHAI_PS_HOSTS --worker_hosts=$AZ_BATCHAI_WORKER_HOSTS --train_steps 10000 --checkpoint_dir=$AZ_BATCHAI_OUTPUT_MODEL --log_dir=$AZ_BATCHAI_OUTPUT_TENSORBOARD --task_index=$AZ_BATCHAI_TASK_INDEX --data_dir=$AZ_BATCHAI_INPUT_DATASET",
      "workerCommandLineArgs": "--job_name=worker --num_gpus=1 --ps_hosts=$AZ_BATCHAI_PS_HOSTS --worker_hosts=$AZ_BATCHAI_WORKER_HOSTS --train_steps 10000 --checkpoint_dir=$AZ_BATCHAI_OUTPUT_MODEL --log_dir=$AZ_BATCHAI_OUTPUT_TENSORBOARD --task_index=$AZ_BATCHAI_TASK_INDEX --data_dir=$AZ_BATCHAI_INPUT_DATASET",
      "parameterServerCommandLineArgs": "--job_name=ps --num_gpus=0 --ps_hosts=$AZ_BATCHAI_PS_HOSTS --worker_hosts=$AZ_BATCHAI_WORKER_HOSTS --task_index=$AZ_BATCHAI_TASK_INDEX --data_dir=$AZ_BATCHAI_JOB_MOUNT_ROOT/data/mnist_data"
    },
    "stdOutErrPathPrefix": "$AZ_BATCHAI_JOB_MOUNT_ROOT/logs",
    "outputDirectories": [
      {"id": "MODEL", "pathPrefix": "$AZ_BATCHAI_JOB_MOUNT_ROOT/logs", "pathSuffix": "Models"},
      {"id": "TENSORBOARD", "pathPrefix": "$AZ_BATCHAI_JOB_MOUNT_ROOT/logs", "pathSuffix": "Logs"}
    ],
    "mountVolumes": {
      "azureFileShares": [
        {"accountName": "account", "azureFileUrl": "https://account.file.core.windows.net/logs",
         "credentials": {"accountKey": "a2V5"}, "relativeMountPath": "logs"},
        {"accountName": "account", "azureFileUrl": "https://account.file.core.windows.net/scripts",
         "credentials": {"accountKey": "a2V5"}, "relativeMountPath": "scripts"}
      ],
      "azureBlobFileSystems": [
        {"accountName": "account", "containerName": "data", "credentials": {"accountKey": "a2V5"},
         "relativeMountPath": "data"}
      ]
    },
    "containerSettings": {"imageSourceRegistry": {"image": "tensorflow/tensorflow:1.8.0-gpu"}}
  }
})";

// The spec's PutCluster example body.
constexpr const char* kClusterBody = R"({
  "properties": {
    "scaleSettings": {"manual": {"nodeDeallocationOption": "requeue", "targetNodeCount": 1}},
    "userAccountSettings": {"adminUserPassword": "admin_user_password",
                            "adminUserSshPublicKey": "ssh-rsa AAAAB3NzaC1yc...",
                            "adminUserName": "admin_user_name"},
    "nodeSetup": {"mountVolumes": {
      "fileServers": [{"fileServer": {"id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo_resource_group/providers/Microsoft.BatchAI/workspaces/demo_workspaces/fileservers/fileservercedd134b"},
                       "mountOptions": "rw", "relativeMountPath": "nfs"}],
      "azureFileShares": [{"relativeMountPath": "azfiles", "directoryMode": "0777", "accountName": "storage_account_name",
                           "azureFileUrl": "https://storage_account_name.file.core.windows.net/azure_file_share_name",
                           "fileMode": "0777",
                           "credentials": {"accountKey": "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000=="}}]}},
    "vmPriority": "dedicated",
    "vmSize": "STANDARD_NC6"
  }
})";

// Text in, validated model out: what a PUT costs before the engine sees it.
void BM_ParseJob(benchmark::State& state) {
  const std::string text = kJobBody;
  for (auto _ : state) {
    auto spec = model::parse_job_create(boost::json::parse(text));
    if (!spec) {
      state.SkipWithError(spec.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(spec);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseJob);

// Model out to text, as a GET shows it.
void BM_SerializeJob(benchmark::State& state) {
  auto spec = model::parse_job_create(boost::json::parse(kJobBody));
  if (!spec) {
    state.SkipWithError(spec.error().message.c_str());
    return;
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = boost::json::serialize(model::to_json(*spec, model::Visibility::kPublic));
    bytes += text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_SerializeJob);

void BM_ParseCluster(benchmark::State& state) {
  const std::string text = kClusterBody;
  for (auto _ : state) {
    auto spec = model::parse_cluster_create(boost::json::parse(text));
    if (!spec) {
      state.SkipWithError(spec.error().message.c_str());
      return;
    }
    benchmark::DoNotOptimize(spec);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseCluster);

void BM_SerializeCluster(benchmark::State& state) {
  auto spec = model::parse_cluster_create(boost::json::parse(kClusterBody));
  if (!spec) {
    state.SkipWithError(spec.error().message.c_str());
    return;
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = boost::json::serialize(model::to_json(*spec, model::Visibility::kPublic));
    bytes += text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_SerializeCluster);

}  // namespace

BENCHMARK_MAIN();
