package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A minimal Experiment written for these tests.
const minimal = `
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: minimal
spec:
  objective: {type: maximize, objectiveMetricName: acc}
  algorithm: {algorithmName: random}
  maxTrialCount: 4
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace: {min: "0.1", max: "0.2"}
  trialTemplate:
    primaryContainerName: main
    trialParameters:
      - {name: lr, reference: lr}
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          spec:
            restartPolicy: Never
            containers:
              - name: main
                image: busybox
                command: ["echo", "${trialParameters.lr}"]
`

func newTestOracle(t *testing.T) *Oracle {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join(resolveKatibDir(""), defaultKatibConfigPath))
	if err != nil {
		t.Skipf("Katib module not available: %v", err)
	}
	o, err := NewOracle(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func doc(t *testing.T, yamlText string) []byte {
	t.Helper()
	docs, err := splitDocuments([]byte(yamlText))
	if err != nil || len(docs) != 1 {
		t.Fatalf("split: %v %d", err, len(docs))
	}
	return docs[0].json
}

func TestVerdicts(t *testing.T) {
	o := newTestOracle(t)
	cases := []struct {
		name, from, to string
		allowed        bool
		field, code    string
	}{
		{"baseline", "", "", true, "", ""},
		{"H-1 number for string", `min: "0.1"`, `min: 0.1`, false, "", "KATIB-H1"},
		{"V-6 default parallelTrialCount", "maxTrialCount: 4", "maxTrialCount: 2", false, "spec.parallelTrialCount", ""},
		{"V-20 empty trialParameters", "trialParameters:\n      - {name: lr, reference: lr}", "trialParameters: []", false, "spec.trialTemplate.trialParameters", ""},
		{"V-13 unknown algorithm", "algorithmName: random", "algorithmName: nope", false, "spec.algorithm.algorithmName", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := o.Run(&Case{ID: c.name, Object: doc(t, strings.Replace(minimal, c.from, c.to, 1))})
			if r.Error != "" || r.Panic != "" || len(r.Notes) > 0 {
				t.Fatalf("unexpected: %+v", r)
			}
			if r.Allowed != c.allowed || r.Handler == nil || r.Handler.Allowed != c.allowed {
				t.Fatalf("allowed=%v handler=%+v, want %v", r.Allowed, r.Handler, c.allowed)
			}
			if !c.allowed && (r.Errors[0].Field != c.field || r.Errors[0].Code != c.code) {
				t.Fatalf("errors %+v, want field %q code %q", r.Errors, c.field, c.code)
			}
		})
	}
}

func TestDefaultedObject(t *testing.T) {
	o := newTestOracle(t)
	r := o.Run(&Case{ID: "d", Object: doc(t, minimal)})
	var obj struct {
		Metadata map[string]interface{} `json:"metadata"`
		Spec     map[string]interface{} `json:"spec"`
		Status   interface{}            `json:"status"`
	}
	if err := json.Unmarshal(r.Object, &obj); err != nil {
		t.Fatal(err)
	}
	if obj.Status != nil || obj.Metadata["creationTimestamp"] != nil || obj.Metadata["namespace"] != nil {
		t.Fatalf("status/creationTimestamp/namespace should be absent: %s", r.Object)
	}
	if obj.Spec["parallelTrialCount"] != float64(3) || obj.Spec["resumePolicy"] != "Never" {
		t.Fatalf("defaults missing: %s", r.Object)
	}
}

func TestBatchOneLinePerCase(t *testing.T) {
	o := newTestOracle(t)
	obj := doc(t, minimal)
	in := `{"id":"a","object":` + string(obj) + `}` + "\n" +
		`not json` + "\n" +
		`{"id":"c","object":` + string(obj) + `,"unlabelledNamespace":true}` + "\n"
	var out bytes.Buffer
	w := &output{w: newBufWriter(&out)}
	if err := runBatch(o, strings.NewReader(in), w); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines", len(lines))
	}
	var last Result
	if err := json.Unmarshal([]byte(lines[2]), &last); err != nil {
		t.Fatal(err)
	}
	if last.File != "c" || last.Allowed || last.Errors[0].Code != "KATIB-H2" {
		t.Fatalf("unexpected H-2 result: %s", lines[2])
	}
}
