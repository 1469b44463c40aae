-- Argo CD health of a Katib Trial (kubeflow.org/v1beta1), from katib-gitops.
-- Katib's trial conditions (Katib reference §7.2), read in the order Katib classifies a trial
-- (§5.7: Killed, Failed, Succeeded, EarlyStopped, Running, MetricsUnavailable): Killed,
-- Failed and MetricsUnavailable are Degraded with Katib's message (which carries the job's
-- own reason); Succeeded is Healthy, and so is EarlyStopped, noted, since its metrics count;
-- Running, Created and no status yet are Progressing. Installed through argocd-cm, a script
-- runs without Lua's string and math libraries: base and table functions only. Every field is
-- type-checked, so a malformed object gets a health, never a Lua error.

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

local function list(v)
  if type(v) == "table" then
    return v
  end
  return {}
end

-- type -> message of the conditions that are True (a list-map by type, §7.2)
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
      if value ~= nil and value ~= "unavailable" then
        return name .. "=" .. value
      end
    end
  end
  return nil
end

local status = get(obj, "status")
local conditions = trueConditions(status)
local value = objectiveValue(get(get(obj, "spec"), "objective"), get(status, "observation"))
local hs = {}

local function withValue(message)
  if value ~= nil then
    return message .. ": " .. value
  end
  return message
end

if conditions.Killed ~= nil then
  hs.status = "Degraded"
  hs.message = conditions.Killed
elseif conditions.Failed ~= nil then
  hs.status = "Degraded"
  hs.message = conditions.Failed
elseif conditions.Succeeded ~= nil then
  hs.status = "Healthy"
  hs.message = withValue(conditions.Succeeded)
elseif conditions.EarlyStopped ~= nil then
  hs.status = "Healthy"
  hs.message = withValue(conditions.EarlyStopped
    .. " (stopped by the early-stopping rules; it counts as a completed trial)")
elseif conditions.Running ~= nil then
  hs.status = "Progressing"
  hs.message = conditions.Running
elseif conditions.MetricsUnavailable ~= nil then
  hs.status = "Degraded"
  hs.message = conditions.MetricsUnavailable
elseif conditions.Created ~= nil then
  hs.status = "Progressing"
  hs.message = conditions.Created
else
  hs.status = "Progressing"
  hs.message = "Waiting for Katib's trial controller"
end
return hs
