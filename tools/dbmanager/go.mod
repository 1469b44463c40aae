// Build-only module: Katib's own katib-db-manager (cmd/db-manager/v1beta1 of
// github.com/kubeflow/katib), for katib-gitops' tests of the metric-history client
// (compiler/cluster/dbmanager.py). Nothing of Katib is kept here: `go build` reads the
// module from the Go module cache. tools/dbmanager/build.py builds and caches the binary.
module katib-gitops/tools/dbmanager

go 1.24.0

tool github.com/kubeflow/katib/cmd/db-manager/v1beta1

require (
	github.com/go-logr/logr v1.4.3 // indirect
	github.com/go-sql-driver/mysql v1.5.0 // indirect
	github.com/kubeflow/katib v0.19.0 // indirect
	github.com/lib/pq v1.10.6 // indirect
	golang.org/x/net v0.41.0 // indirect
	golang.org/x/sys v0.33.0 // indirect
	golang.org/x/text v0.26.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20250303144028-a0af3efb3deb // indirect
	google.golang.org/grpc v1.72.1 // indirect
	google.golang.org/protobuf v1.36.6 // indirect
	k8s.io/klog/v2 v2.130.1 // indirect
)
