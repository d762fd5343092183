// End-to-end test of the emulator through @azure/arm-batchai (the JS SDK for 2018-05-01), run with
// node's built-in test runner by ../run_node_tests.py, which starts the emulator and passes
// BATCHAI_HTTP_URL. The JS SDK (ms-rest-js) sends bearer tokens over plain HTTP, so it uses the
// HTTP listener; HTTPS would need NODE_EXTRA_CA_CERTS and gains nothing here.
//   BATCHAI_HTTP_URL=http://127.0.0.1:7080 node --test batchai.test.js
"use strict";

const assert = require("node:assert/strict");
const { test, before } = require("node:test");
const { BatchAIManagementClient } = require("@azure/arm-batchai");

const kSubscription = "00000000-0000-0000-0000-000000000000";
const kGroup = "node-sdk";
const kHttpUrl = process.env.BATCHAI_HTTP_URL;

// Any token is accepted by the emulator; this one never expires.
const credential = {
  getToken: async () => ({ token: "any-token", expiresOnTimestamp: Date.parse("2100-01-01") }),
};

async function advanceClock(seconds) {
  const response = await fetch(`${kHttpUrl}/emulator/v1/clock/advance`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ seconds }),
  });
  assert.equal(response.status, 200, `clock/advance answered ${response.status}`);
}

// The emulator runs with --time-scale 0: simulated time moves only when asked. Where the SDK's
// poller would wait between polls of an unfinished operation, this policy moves the clock instead
// (the SDK is told to wait 0 s), so operations end after as much simulated time as they need.
const simClockPolicy = {
  create: (nextPolicy) => ({
    sendRequest: async (request) => {
      const response = await nextPolicy.sendRequest(request);
      if (request.method === "GET" && request.url.includes("/operationresults/")) {
        let status;
        try {
          status = JSON.parse(response.bodyAsText || "{}").status;
        } catch {
          status = undefined;
        }
        if (status === "InProgress") await advanceClock(1);
      }
      return response;
    },
  }),
};

function makeClient() {
  return new BatchAIManagementClient(credential, kSubscription, {
    baseUri: kHttpUrl,
    longRunningOperationRetryTimeout: 0,
    noRetryPolicy: true,
    requestPolicyFactories: (defaults) => [...defaults, simClockPolicy],
  });
}

async function allPages(first, next) {
  let page = await first();
  const items = [...page];
  let pages = 1;
  while (page.nextLink) {
    page = await next(page.nextLink);
    items.push(...page);
    pages += 1;
    assert.ok(pages < 50, "nextLink never ends");
  }
  return { items, pages };
}

let client;
before(() => {
  assert.ok(kHttpUrl, "BATCHAI_HTTP_URL is not set; run this through run_node_tests.py");
  client = makeClient();
});

test("workspace, cluster, experiment and job: create, list, get, delete", async () => {
  const ws = await client.workspaces.create(kGroup, "nodews", { location: "eastus",
                                                               tags: { sdk: "node" } });
  assert.equal(ws.name, "nodews");
  assert.equal(ws.provisioningState, "succeeded");
  assert.deepEqual(ws.tags, { sdk: "node" });

  const clusterParams = {
    vmSize: "STANDARD_NC6",
    scaleSettings: { manual: { targetNodeCount: 0 } },
    userAccountSettings: { adminUserName: "nodeUser", adminUserPassword: "N0de-Secret!" },
  };
  const cluster = await client.clusters.create(kGroup, "nodews", "nodecluster", clusterParams);
  assert.equal(cluster.name, "nodecluster");
  assert.equal(cluster.provisioningState, "succeeded");
  assert.equal(cluster.userAccountSettings.adminUserPassword, undefined);
  await client.clusters.create(kGroup, "nodews", "nodecluster2", clusterParams);

  const clusters = await allPages(
    () => client.clusters.listByWorkspace(kGroup, "nodews",
                                          { clustersListByWorkspaceOptions: { maxResults: 1 } }),
    (link) => client.clusters.listByWorkspaceNext(link));
  assert.deepEqual(clusters.items.map((c) => c.name).sort(), ["nodecluster", "nodecluster2"]);
  assert.ok(clusters.pages >= 2, `maxResults 1 gave ${clusters.pages} page(s)`);

  const experiment = await client.experiments.create(kGroup, "nodews", "nodeexp");
  assert.equal(experiment.provisioningState, "succeeded");

  const job = await client.jobs.create(kGroup, "nodews", "nodeexp", "nodejob", {
    cluster: { id: cluster.id },
    nodeCount: 1,
    stdOutErrPathPrefix: "$AZ_BATCHAI_JOB_MOUNT_ROOT/logs",
    customToolkitSettings: { commandLine: "echo hello from node" },
    environmentVariables: [{ name: "EMULATOR_SIM_DURATION", value: "PT5M" }],
    secrets: [{ name: "TOKEN", value: "node-secret-value" }],
  });
  assert.equal(job.name, "nodejob");
  assert.equal(job.executionState, "queued");
  assert.equal(job.toolType, "custom");
  assert.equal(job.secrets[0].value, undefined);

  const fetched = await client.jobs.get(kGroup, "nodews", "nodeexp", "nodejob");
  assert.equal(fetched.id, job.id);
  assert.equal(fetched.jobOutputDirectoryPathSegment, job.jobOutputDirectoryPathSegment);
  const jobs = await client.jobs.listByExperiment(kGroup, "nodews", "nodeexp");
  assert.deepEqual(jobs.map((j) => j.name), ["nodejob"]);

  await client.jobs.terminate(kGroup, "nodews", "nodeexp", "nodejob");
  const terminated = await client.jobs.get(kGroup, "nodews", "nodeexp", "nodejob");
  assert.ok(["terminating", "failed"].includes(terminated.executionState),
            terminated.executionState);

  await client.jobs.deleteMethod(kGroup, "nodews", "nodeexp", "nodejob");
  await assert.rejects(client.jobs.get(kGroup, "nodews", "nodeexp", "nodejob"),
                       (error) => error.statusCode === 404 && error.code === "JobNotFound");

  await client.clusters.deleteMethod(kGroup, "nodews", "nodecluster2");
  await client.workspaces.deleteMethod(kGroup, "nodews");
  await assert.rejects(client.workspaces.get(kGroup, "nodews"),
                       (error) => error.statusCode === 404 && error.code === "WorkspaceNotFound");
  await assert.rejects(client.clusters.get(kGroup, "nodews", "nodecluster"),
                       (error) => error.statusCode === 404);
});

test("validation errors reach the caller as RestError with the CloudError code", async () => {
  await client.workspaces.create(kGroup, "nodeerrors", { location: "eastus" });
  await assert.rejects(
    client.clusters.create(kGroup, "nodeerrors", "badvm", {
      vmSize: "STANDARD_NOPE",
      scaleSettings: { manual: { targetNodeCount: 0 } },
      userAccountSettings: { adminUserName: "u", adminUserPassword: "p4ssw0rd!" },
    }),
    (error) => error.statusCode === 400 && error.code === "InvalidVmSize");
});

test("operations and usages", async () => {
  const operations = await client.operations.list();
  assert.ok(operations.some((op) => op.name === "Microsoft.BatchAI/workspaces/clusters/write"));
  const usages = await client.usages.list("eastus");
  assert.ok(usages.length > 0);
  for (const usage of usages) assert.equal(usage.unit, "Count");
});
