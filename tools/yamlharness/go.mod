// Build-only module: go-yaml v2 and v3 and sigs.k8s.io/yaml decoding YAML for katib-gitops tests.
module katib-gitops/tools/yamlharness

go 1.26.0

require (
	go.yaml.in/yaml/v2 v2.4.2
	go.yaml.in/yaml/v3 v3.0.4
	sigs.k8s.io/yaml v1.6.0
)
