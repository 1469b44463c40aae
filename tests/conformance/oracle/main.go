// Command oracle runs Katib's own admission code (the Experiment mutating and
// validating webhooks of github.com/kubeflow/katib) on Experiment manifests and
// prints one JSON verdict per Experiment. See README.md.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/klog/v2"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	configv1beta1 "github.com/kubeflow/katib/pkg/apis/config/v1beta1"
	apis "github.com/kubeflow/katib/pkg/apis/controller"
)

const katibModule = "github.com/kubeflow/katib"

// katibDir is the Katib module directory; set at build time with
// -ldflags "-X main.katibDir=$(go list -m -f '{{.Dir}}' github.com/kubeflow/katib)".
var katibDir string

// defaultKatibConfigPath is the katib-config of a default (standalone) install, inside the module.
const defaultKatibConfigPath = "manifests/v1beta1/installs/katib-standalone/katib-config.yaml"

// newScheme registers what katib-controller registers (cmd/katib-controller/v1beta1/main.go).
func newScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(apis.AddToScheme(s))
	utilruntime.Must(configv1beta1.AddToScheme(s))
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	return s
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// resolveKatibDir finds the Katib module directory: flag, then build-time value,
// then $KATIB_DIR, then the module cache entry for the Katib version built in.
func resolveKatibDir(flagVal string) string {
	for _, d := range []string{flagVal, katibDir, os.Getenv("KATIB_DIR")} {
		if d != "" {
			return d
		}
	}
	version := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == katibModule {
				version = dep.Version
			}
		}
	}
	if version == "" {
		return ""
	}
	modCache := os.Getenv("GOMODCACHE")
	if modCache == "" {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, _ := os.UserHomeDir()
			gopath = filepath.Join(home, "go")
		}
		modCache = filepath.Join(filepath.SplitList(gopath)[0], "pkg", "mod")
	}
	return filepath.Join(modCache, "github.com", "kubeflow", "katib@"+version)
}

// document is one document of a manifest file, as JSON.
type document struct {
	index int
	kind  string
	json  []byte
}

// splitDocuments reads a YAML or JSON manifest stream the way kubectl does:
// split on "---", convert each YAML document to JSON with sigs.k8s.io/yaml.
func splitDocuments(data []byte) ([]document, error) {
	var docs []document
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		doc = bytes.TrimSpace(doc)
		if len(doc) == 0 {
			continue
		}
		var js []byte
		if doc[0] == '{' {
			js = doc
		} else if js, err = yaml.YAMLToJSON(doc); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
			continue
		}
		var probe struct {
			Kind string `json:"kind"`
		}
		_ = json.Unmarshal(js, &probe)
		docs = append(docs, document{index: i, kind: probe.Kind, json: js})
	}
	return docs, nil
}

func readConfigMaps(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	docs, err := splitDocuments(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out [][]byte
	for _, d := range docs {
		if d.kind == "ConfigMap" {
			out = append(out, d.json)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no ConfigMap found", path)
	}
	return out, nil
}

type output struct {
	w *bufio.Writer
}

func (o *output) write(r Result) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		buf.Reset()
		fmt.Fprintf(&buf, "{\"file\":%q,\"allowed\":false,\"error\":%q}\n", r.File, "encode result: "+err.Error())
	}
	o.w.Write(buf.Bytes())
	o.w.Flush()
}

// safeRun never lets a failure of the oracle itself stop the stream.
func safeRun(o *Oracle, c *Case) (res Result) {
	defer func() {
		if r := recover(); r != nil {
			res = Result{File: c.ID, Errors: []Error{}, Warnings: []string{}, Object: json.RawMessage("null"),
				Error: fmt.Sprintf("oracle panic: %v\n%s", r, debug.Stack())}
		}
	}()
	return o.Run(c)
}

type batchInput struct {
	ID                  string            `json:"id"`
	Object              json.RawMessage   `json:"object"`
	Old                 json.RawMessage   `json:"old"`
	ConfigMaps          []json.RawMessage `json:"configmaps"`
	KatibConfig         *string           `json:"katibConfig"`
	UnlabelledNamespace bool              `json:"unlabelledNamespace"`
	ExistingPVs         []string          `json:"existingPVs"`
}

func isNull(m json.RawMessage) bool {
	t := bytes.TrimSpace(m)
	return len(t) == 0 || bytes.Equal(t, []byte("null"))
}

func runBatch(o *Oracle, in io.Reader, out *output) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var bi batchInput
		if err := json.Unmarshal(text, &bi); err != nil {
			out.write(Result{File: fmt.Sprintf("line %d", line), Errors: []Error{}, Warnings: []string{},
				Object: json.RawMessage("null"), Error: "bad input line: " + err.Error()})
			continue
		}
		if isNull(bi.Object) {
			out.write(Result{File: bi.ID, Errors: []Error{}, Warnings: []string{},
				Object: json.RawMessage("null"), Error: "input has no object"})
			continue
		}
		c := &Case{ID: bi.ID, Object: append([]byte(nil), bi.Object...), UnlabelledNamespace: bi.UnlabelledNamespace,
			ExistingPVs: bi.ExistingPVs}
		if !isNull(bi.Old) {
			c.Old = append([]byte(nil), bi.Old...)
		}
		for _, cm := range bi.ConfigMaps {
			c.ConfigMaps = append(c.ConfigMaps, append([]byte(nil), cm...))
		}
		if bi.KatibConfig != nil {
			c.KatibConfig = []byte(*bi.KatibConfig)
		}
		out.write(safeRun(o, c))
	}
	return sc.Err()
}

func main() {
	var (
		katibConfigFile string
		katibDirFlag    string
		oldFile         string
		configMapFiles  multiFlag
		existingPVs     multiFlag
		unlabelled      bool
		batch           bool
	)
	flag.StringVar(&katibConfigFile, "katib-config", "", "katib-config: a ConfigMap manifest or a KatibConfig YAML (default: the Katib module's katib-standalone katib-config.yaml)")
	flag.StringVar(&katibDirFlag, "katib-dir", "", "directory of the github.com/kubeflow/katib module (default: set at build time, $KATIB_DIR, or the module cache)")
	flag.StringVar(&oldFile, "old", "", "the existing Experiment (UPDATE): first Experiment in this file, treated as stored (defaulted, status kept)")
	flag.Var(&configMapFiles, "configmap", "file with ConfigMap(s) to load into the fake cluster (repeatable)")
	flag.Var(&existingPVs, "existing-pv", "name of a PersistentVolume that exists in the fake cluster, for H-3 (repeatable)")
	flag.BoolVar(&unlabelled, "unlabelled-namespace", false, "the Experiment's namespace lacks katib.kubeflow.org/metrics-collector-injection=enabled (H-2)")
	flag.BoolVar(&batch, "batch", false, "read JSON Lines cases on stdin, write one result line per case")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: oracle [flags] FILE...\n       oracle [flags] --batch < cases.jsonl\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	// Keep Katib's and controller-runtime's logging off stdout and quiet.
	logf.SetLogger(logr.Discard())
	klog.SetLogger(logr.Discard())
	utilruntime.ReallyCrash = false

	die := func(format string, a ...interface{}) {
		fmt.Fprintf(os.Stderr, "oracle: "+format+"\n", a...)
		os.Exit(2)
	}

	var defaultCfg []byte
	if katibConfigFile != "" {
		b, err := os.ReadFile(katibConfigFile)
		if err != nil {
			die("%v", err)
		}
		defaultCfg = b
	} else {
		dir := resolveKatibDir(katibDirFlag)
		if dir == "" {
			die("cannot locate the Katib module; pass --katib-dir or --katib-config")
		}
		b, err := os.ReadFile(filepath.Join(dir, defaultKatibConfigPath))
		if err != nil {
			die("default katib-config: %v (pass --katib-dir or --katib-config)", err)
		}
		defaultCfg = b
	}
	o, err := NewOracle(defaultCfg)
	if err != nil {
		die("%v", err)
	}

	out := &output{w: newBufWriter(os.Stdout)}
	if batch {
		if flag.NArg() > 0 || oldFile != "" || len(configMapFiles) > 0 {
			die("--batch takes its cases on stdin; FILE, --old and --configmap are not allowed")
		}
		if err := runBatch(o, os.Stdin, out); err != nil {
			die("reading stdin: %v", err)
		}
		return
	}
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}

	var extraCMs [][]byte
	for _, f := range configMapFiles {
		cms, err := readConfigMaps(f)
		if err != nil {
			die("%v", err)
		}
		extraCMs = append(extraCMs, cms...)
	}
	var old []byte
	if oldFile != "" {
		data, err := os.ReadFile(oldFile)
		if err != nil {
			die("%v", err)
		}
		docs, err := splitDocuments(data)
		if err != nil {
			die("%s: %v", oldFile, err)
		}
		for _, d := range docs {
			if d.kind == "Experiment" {
				old = d.json
				break
			}
		}
		if old == nil {
			die("%s: no Experiment found", oldFile)
		}
	}

	status := 0
	for _, path := range flag.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "oracle: %v\n", err)
			status = 1
			continue
		}
		docs, err := splitDocuments(data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "oracle: %s: %v\n", path, err)
			status = 1
			continue
		}
		var fileCMs [][]byte
		var exps []document
		for _, d := range docs {
			switch d.kind {
			case "ConfigMap":
				fileCMs = append(fileCMs, d.json)
			case "Experiment":
				exps = append(exps, d)
			}
		}
		for _, d := range exps {
			id := path
			if len(exps) > 1 {
				id = fmt.Sprintf("%s#%d", path, d.index)
			}
			c := &Case{ID: id, Object: d.json, Old: old, UnlabelledNamespace: unlabelled, ExistingPVs: existingPVs}
			// Later ConfigMaps override earlier ones with the same namespace/name: --configmap files win.
			c.ConfigMaps = append(append([][]byte{}, fileCMs...), extraCMs...)
			out.write(safeRun(o, c))
		}
	}
	os.Exit(status)
}

func newBufWriter(w io.Writer) *bufio.Writer { return bufio.NewWriter(w) }
