// luaharness runs Argo CD health checks (health.lua) in Argo CD's own Lua engine:
// the VM of github.com/argoproj/argo-cd/v3/util/lua, with the libraries, globals and
// result handling Argo CD uses. Nothing of Argo CD is copied here; it is a module dependency.
//
//	luaharness tests <resource_customizations dir>   every health_test.yaml below the dir
//	luaharness eval <health.lua>                      JSON array of objects on stdin
//	luaharness configmap <argocd-cm.yaml>             JSON array of objects on stdin, each
//	                                                  checked with the script the ConfigMap
//	                                                  installs for its group/kind, read by
//	                                                  Argo CD's settings manager
//
// Output is JSON on stdout; the caller (tests/gitops) compares it with the expectations.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	argolua "github.com/argoproj/argo-cd/v3/util/lua"
	"github.com/argoproj/argo-cd/v3/util/settings"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/fake"
	"sigs.k8s.io/yaml"
)

// result is one evaluation: Argo CD's HealthStatus, or the error Argo CD would show.
type result struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

func evaluate(vm argolua.VM, obj map[string]any, script string) result {
	status, err := vm.ExecuteHealthLua(&unstructured.Unstructured{Object: obj}, script)
	if err != nil {
		return result{Error: err.Error()}
	}
	return result{Status: string(status.Status), Message: status.Message}
}

// healthTest mirrors the health_test.yaml format of argo-cd's resource_customizations.
type healthTest struct {
	Tests []struct {
		InputPath    string `json:"inputPath"`
		HealthStatus struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"healthStatus"`
	} `json:"tests"`
}

type testOutcome struct {
	Dir       string `json:"dir"`
	InputPath string `json:"inputPath"`
	Expected  result `json:"expected"`
	// Installed through argocd-cm, a script runs without the Lua standard libraries
	// (useOpenLibs false, the default); built-in scripts and argo-cd's own tests run with them.
	Restricted result `json:"restricted"`
	OpenLibs   result `json:"openLibs"`
}

func readYAML(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	obj := map[string]any{}
	if err := yaml.Unmarshal(data, &obj); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return obj, nil
}

func runTests(root string) ([]testOutcome, error) {
	outcomes := []testOutcome{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "health.lua" {
			return err
		}
		dir := filepath.Dir(path)
		script, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		raw, err := os.ReadFile(filepath.Join(dir, "health_test.yaml"))
		if err != nil {
			return err
		}
		var spec healthTest
		if err := yaml.UnmarshalStrict(raw, &spec); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(dir, "health_test.yaml"), err)
		}
		rel, _ := filepath.Rel(root, dir)
		for _, t := range spec.Tests {
			obj, err := readYAML(filepath.Join(dir, t.InputPath))
			if err != nil {
				return err
			}
			outcomes = append(outcomes, testOutcome{
				Dir:        filepath.ToSlash(rel),
				InputPath:  t.InputPath,
				Expected:   result{Status: t.HealthStatus.Status, Message: t.HealthStatus.Message},
				Restricted: evaluate(argolua.VM{}, obj, string(script)),
				OpenLibs:   evaluate(argolua.VM{UseOpenLibs: true}, obj, string(script)),
			})
		}
		return nil
	})
	sort.SliceStable(outcomes, func(i, j int) bool { return outcomes[i].Dir < outcomes[j].Dir })
	return outcomes, err
}

// fromConfigMap loads an argocd-cm ConfigMap with Argo CD's own settings manager (over a
// fake clientset holding just that ConfigMap and an empty argocd-secret), as the application
// controller loads its resource overrides and tracking method.
func fromConfigMap(path string) (argolua.ResourceHealthOverrides, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	cm := &corev1.ConfigMap{}
	if err := yaml.UnmarshalStrict(data, cm); err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{
		Name: "argocd-secret", Namespace: cm.Namespace, Labels: map[string]string{"app.kubernetes.io/part-of": "argocd"},
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mgr := settings.NewSettingsManager(ctx, fake.NewClientset(cm, secret), cm.Namespace)
	overrides, err := mgr.GetResourceOverrides()
	if err != nil {
		return nil, "", err
	}
	tracking, err := mgr.GetTrackingMethod()
	if err != nil {
		return nil, "", err
	}
	return overrides, tracking, nil
}

type configMapOutcome struct {
	TrackingMethod string   `json:"trackingMethod"`
	Results        []result `json:"results"`
}

func readObjects() ([]map[string]any, error) {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		return nil, err
	}
	var objs []map[string]any
	if err := json.Unmarshal(data, &objs); err != nil {
		return nil, fmt.Errorf("stdin: want a JSON array of objects: %w", err)
	}
	return objs, nil
}

func run(args []string) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("usage: luaharness tests DIR | eval HEALTH.LUA | configmap ARGOCD-CM.YAML")
	}
	switch args[0] {
	case "tests":
		return runTests(args[1])
	case "eval":
		script, err := os.ReadFile(args[1])
		if err != nil {
			return nil, err
		}
		objs, err := readObjects()
		if err != nil {
			return nil, err
		}
		out := make([]result, len(objs))
		for i, obj := range objs {
			out[i] = evaluate(argolua.VM{}, obj, string(script))
		}
		return out, nil
	case "configmap":
		overrides, tracking, err := fromConfigMap(args[1])
		if err != nil {
			return nil, err
		}
		objs, err := readObjects()
		if err != nil {
			return nil, err
		}
		out := configMapOutcome{TrackingMethod: tracking, Results: make([]result, len(objs))}
		for i, obj := range objs {
			status, err := overrides.GetResourceHealth(&unstructured.Unstructured{Object: obj})
			switch {
			case err != nil:
				out.Results[i] = result{Error: err.Error()}
			case status == nil:
				out.Results[i] = result{Error: "no health check for this kind"}
			default:
				out.Results[i] = result{Status: string(status.Status), Message: status.Message}
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown command %q", args[0])
}

func main() {
	out, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "luaharness:", err)
		os.Exit(2)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "luaharness:", err)
		os.Exit(2)
	}
}
