-- Argo CD health of a Katib Experiment (kubeflow.org/v1beta1), from katib-gitops.
-- Katib's conditions (Katib reference §7.1, counters §5.7): Failed=True is Degraded with
-- Katib's message; Succeeded=True is Healthy with the best trial; Created, Running,
-- Restarting and no status yet are Progressing with the trial counts. Restarting is never
-- removed (§7.1), so only Succeeded and Failed decide, and Running tells a restarted
-- experiment that runs again. Installed through argocd-cm, a script runs without Lua's string
-- and math libraries: base and table functions only. Every field is type-checked, so a
-- malformed object gets a health, never a Lua error.

local function get(t, key)
  if type(t) == "table" then
    return t[key]
  end
  return nil
end

local function text(v)
  if type(v) == "string" then
    return v
  end
  if type(v) == "number" then
    return tostring(v)
  end
  return nil
end

local function number(v)
  if type(v) == "number" then
    return v
  end
  return 0
end

local function list(v)
  if type(v) == "table" then
    return v
  end
  return {}
end

-- type -> message of the conditions that are True (a list-map by type, §7.1)
local function trueConditions(status)
  local found = {}
  for _, c in ipairs(list(get(status, "conditions"))) do
    local kind = text(get(c, "type"))
    if kind ~= nil and get(c, "status") == "True" then
      local message = text(get(c, "message"))
      if message == nil or message == "" then
        message = kind
      end
      found[kind] = message
    end
  end
  return found
end

-- The value Katib compares (§5.6): the objective metric's strategy picks min, max or latest,
-- and latest stands in when that one is "unavailable".
local function objectiveValue(objective, observation)
  local name = text(get(objective, "objectiveMetricName"))
  if name == nil then
    return nil
  end
  local strategy = nil
  for _, s in ipairs(list(get(objective, "metricStrategies"))) do
    if get(s, "name") == name then
      strategy = text(get(s, "value"))
    end
  end
  if strategy == nil then
    strategy = "latest"
    if get(objective, "type") == "maximize" then
      strategy = "max"
    elseif get(objective, "type") == "minimize" then
      strategy = "min"
    end
  end
  for _, m in ipairs(list(get(observation, "metrics"))) do
    if get(m, "name") == name then
      local value = text(get(m, strategy))
      if value == nil or value == "unavailable" then
        value = text(get(m, "latest"))
      end
      if value == nil then
        value = text(get(m, "value")) -- v1alpha3's one value, as in the seed's Example 10-2
      end
      if value ~= nil and value ~= "unavailable" then
        return name .. "=" .. value
      end
    end
  end
  return nil
end

local function bestTrial(spec, status)
  local optimal = get(status, "currentOptimalTrial")
  local value = objectiveValue(get(spec, "objective"), get(optimal, "observation"))
  local name = text(get(optimal, "bestTrialName"))
  if name ~= nil and name ~= "" then
    if value ~= nil then
      return "best trial " .. name .. " (" .. value .. ")"
    end
    return "best trial " .. name
  end
  if value ~= nil then
    return "best " .. value
  end
  return nil
end

-- "3 of 12 trials done, 2 running": done and failed count as Katib counts them (§5.7)
local function progress(spec, status)
  local failed = number(get(status, "trialsFailed")) + number(get(status, "trialMetricsUnavailable"))
  local done = number(get(status, "trialsSucceeded")) + failed + number(get(status, "trialsKilled"))
    + number(get(status, "trialsEarlyStopped"))
  local parts = {}
  local max = get(spec, "maxTrialCount")
  if type(max) == "number" then
    table.insert(parts, tostring(done) .. " of " .. tostring(max) .. " trials done")
  else
    table.insert(parts, tostring(done) .. " trials done")
  end
  local others = {
    { number(get(status, "trialsRunning")), " running" },
    { number(get(status, "trialsPending")), " pending" },
    { failed, " failed" },
    { number(get(status, "trialsEarlyStopped")), " early stopped" },
  }
  for _, o in ipairs(others) do
    if o[1] ~= 0 then
      table.insert(parts, tostring(o[1]) .. o[2])
    end
  end
  return table.concat(parts, ", ")
end

local spec = get(obj, "spec")
local status = get(obj, "status")
local conditions = trueConditions(status)
local hs = {}
local best = bestTrial(spec, status)

if conditions.Failed ~= nil then
  hs.status = "Degraded"
  hs.message = conditions.Failed .. ": " .. progress(spec, status)
elseif conditions.Succeeded ~= nil then
  hs.status = "Healthy"
  hs.message = conditions.Succeeded .. ": " .. (best or "no trial has an objective value")
    .. "; " .. progress(spec, status)
else
  hs.status = "Progressing"
  local state = "Waiting for Katib's experiment controller"
  if conditions.Running ~= nil and conditions.Restarting ~= nil then
    state = conditions.Running .. " (restarted)"
  elseif conditions.Running ~= nil then
    state = conditions.Running
  elseif conditions.Restarting ~= nil then
    state = conditions.Restarting
  elseif conditions.Created ~= nil then
    state = conditions.Created
  end
  hs.message = state .. ": " .. progress(spec, status)
  if best ~= nil then
    hs.message = hs.message .. "; " .. best .. " so far"
  end
end
return hs
