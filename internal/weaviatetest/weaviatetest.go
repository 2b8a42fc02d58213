// Package weaviatetest runs real weaviate-server processes for tests: a
// single node or a 3-node cluster, on loopback ports with temporary data
// directories, inside a network namespace the test makes itself (only `lo`
// up), so that no gossip or gRPC traffic leaves loopback and fixed ports
// never collide with another test or agent.
//
// A test calls Isolate first: outside a namespace it re-runs itself inside
// one (`unshare -n`) and reports the child's result; inside, it returns and
// the test starts its cluster with Start. Without the binary the test is
// skipped with a reason (failed in CI, see testenv.Need).
package weaviatetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/semsearch/semsearch/internal/testenv"
)

// EnvBinary names the weaviate-server binary; .ci/run exports it.
const EnvBinary = "SEMSEARCH_WEAVIATE_SERVER"

// envInside marks the re-run child inside the namespace.
const envInside = "WEAVIATETEST_NETNS"

// Binary returns the weaviate-server to run: $SEMSEARCH_WEAVIATE_SERVER,
// else bin/weaviate-server in the repo (where scripts/weaviate-build.sh puts
// it); absent, the test is skipped (failed in CI).
func Binary(t testing.TB) string {
	t.Helper()
	path := os.Getenv(EnvBinary)
	if path == "" {
		path = filepath.Join(testenv.RepoRoot(t), "bin", "weaviate-server")
	}
	_, err := os.Stat(path)
	testenv.Need(t, err == nil, "weaviate-server not found at %s (build it with scripts/weaviate-build.sh or set %s): %v", path, EnvBinary, err)
	return path
}

// Inside reports whether this process runs in the test's own namespace.
func Inside() bool { return os.Getenv(envInside) == "1" }

// Isolate makes the calling top-level test run inside a fresh network
// namespace. In the parent it runs the test binary again under
// `unshare -n` for this test alone, relays its output, fails or skips as
// the child did, and returns false: the caller returns at once. Inside the
// namespace it brings `lo` up and returns true.
func Isolate(t *testing.T) bool {
	t.Helper()
	Binary(t) // skip early, before any namespace
	if Inside() {
		if err := loopbackUp(); err != nil {
			t.Fatalf("bring lo up in the namespace: %v", err)
		}
		return true
	}
	unshare, err := exec.LookPath("unshare")
	testenv.Need(t, err == nil, "unshare (util-linux) is needed for a network namespace: %v", err)
	args := []string{"-n"}
	if os.Geteuid() != 0 {
		args = []string{"-r", "-n"} // a user namespace maps us to root in it
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args = append(args, "--", exe, "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.v", "-test.count=1")
	if d, ok := t.Deadline(); ok {
		args = append(args, "-test.timeout="+time.Until(d).Round(time.Second).String())
	}
	cmd := exec.Command(unshare, args...)
	cmd.Env = append(os.Environ(), envInside+"=1")
	out, err := cmd.CombinedOutput()
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		t.Log(line)
	}
	switch {
	case err != nil && bytes.Contains(out, []byte("unshare failed")):
		testenv.Need(t, false, "cannot make a network namespace: %s", out)
	case err != nil:
		t.Fatalf("the test failed inside its network namespace: %v", err)
	case bytes.Contains(out, []byte("--- SKIP: "+t.Name())):
		t.Skip("skipped inside the namespace (see the log above)")
	case !bytes.Contains(out, []byte("--- PASS: "+t.Name())):
		t.Fatalf("the test did not run inside its network namespace")
	}
	return false
}

// Node is one weaviate-server process.
type Node struct {
	Name string
	URL  string // http://127.0.0.1:PORT
	Dir  string
	Log  string // path of its combined output
	env  []string
	args []string
	bin  string
	cmd  *exec.Cmd
	done chan struct{}
}

// Cluster is a set of nodes started together.
type Cluster struct {
	Nodes []*Node
	t     testing.TB
}

// URL is the first node's HTTP URL (where the schema is created).
func (c *Cluster) URL() string { return c.Nodes[0].URL }

// Start starts n nodes (1 or 3) inside the test's namespace and waits until
// every node is ready and lists all n members. It must run under Isolate.
func Start(t testing.TB, n int) *Cluster {
	t.Helper()
	if !Inside() {
		t.Fatal("weaviatetest.Start outside the test's network namespace: call Isolate first")
	}
	bin := Binary(t)
	base := t.TempDir()
	c := &Cluster{t: t}
	var join []string
	for i := 0; i < n; i++ {
		join = append(join, fmt.Sprintf("node%d:%d", i, 8300+2*i))
	}
	for i := 0; i < n; i++ {
		dir := filepath.Join(base, fmt.Sprintf("node%d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		env := append(os.Environ(),
			"PERSISTENCE_DATA_PATH="+dir,
			"AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true",
			"DEFAULT_VECTORIZER_MODULE=none",
			"ENABLE_MODULES=",
			"DISABLE_TELEMETRY=true",
			"PROMETHEUS_MONITORING_ENABLED=false",
			"GO_PROFILING_DISABLE=true",
			"LOG_LEVEL=warning",
			"QUERY_MAXIMUM_RESULTS=10000",
			"GOMAXPROCS=2",
			fmt.Sprintf("CLUSTER_HOSTNAME=node%d", i),
			"CLUSTER_IN_LOCALHOST=true",
			"CLUSTER_ADVERTISE_ADDR=127.0.0.1",
			fmt.Sprintf("CLUSTER_GOSSIP_BIND_PORT=%d", 7100+2*i),
			fmt.Sprintf("CLUSTER_DATA_BIND_PORT=%d", 7101+2*i),
			fmt.Sprintf("RAFT_PORT=%d", 8300+2*i),
			fmt.Sprintf("RAFT_INTERNAL_RPC_PORT=%d", 8301+2*i),
			"RAFT_JOIN="+strings.Join(join, ","),
			fmt.Sprintf("RAFT_BOOTSTRAP_EXPECT=%d", n),
			fmt.Sprintf("GRPC_PORT=%d", 50051+i),
		)
		if i > 0 {
			env = append(env, "CLUSTER_JOIN=127.0.0.1:7100")
		}
		port := 8080 + i
		node := &Node{
			Name: fmt.Sprintf("node%d", i), URL: fmt.Sprintf("http://127.0.0.1:%d", port), Dir: dir,
			Log: filepath.Join(base, fmt.Sprintf("node%d.log", i)), env: env, bin: bin,
			args: []string{"--scheme", "http", "--host", "127.0.0.1", "--port", fmt.Sprint(port),
				"--read-timeout=120s", "--write-timeout=120s"},
		}
		c.Nodes = append(c.Nodes, node)
		c.start(node)
	}
	t.Cleanup(func() {
		for _, n := range c.Nodes {
			n.stop()
		}
		if t.Failed() {
			for _, n := range c.Nodes {
				t.Logf("== %s log (tail)\n%s", n.Name, tail(n.Log, 40))
			}
		}
	})
	c.WaitReady(3 * time.Minute)
	return c
}

func (c *Cluster) start(n *Node) {
	c.t.Helper()
	logf, err := os.OpenFile(n.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(n.bin, n.args...)
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = n.env, n.Dir, logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		c.t.Fatalf("start %s: %v", n.Name, err)
	}
	n.cmd, n.done = cmd, make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(n.done) }()
}

// PID is the node's process ID (0 when stopped).
func (n *Node) PID() int {
	if n.cmd == nil || n.cmd.Process == nil {
		return 0
	}
	return n.cmd.Process.Pid
}

func (n *Node) stop() {
	if n.cmd == nil {
		return
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
		n.cmd.Process.Kill()
		<-n.done
	}
	n.cmd = nil
}

// Kill sends SIGKILL to node i and waits until it is gone.
func (c *Cluster) Kill(i int) {
	n := c.Nodes[i]
	if n.cmd != nil {
		n.cmd.Process.Kill()
		<-n.done
		n.cmd = nil
	}
}

// Restart starts node i again on its data directory and waits until the
// cluster is whole.
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	c.start(c.Nodes[i])
	c.WaitReady(3 * time.Minute)
}

// WaitReady waits until every running node answers ready and lists every
// node as HEALTHY.
func (c *Cluster) WaitReady(limit time.Duration) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	hc := &http.Client{Timeout: 5 * time.Second}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		ok := true
		for _, n := range c.Nodes {
			if n.cmd == nil {
				continue
			}
			if !c.nodeReady(ctx, hc, n) {
				ok = false
				break
			}
		}
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			for _, n := range c.Nodes {
				c.t.Logf("== %s log (tail)\n%s", n.Name, tail(n.Log, 40))
			}
			c.t.Fatalf("the weaviate cluster was not ready within %v", limit)
		case <-tick.C:
		}
	}
}

func (c *Cluster) nodeReady(ctx context.Context, hc *http.Client, n *Node) bool {
	get := func(path string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.URL+path, nil)
		if err != nil {
			return nil, err
		}
		return hc.Do(req)
	}
	res, err := get("/v1/.well-known/ready")
	if err != nil {
		return false
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return false
	}
	res, err = get("/v1/nodes")
	if err != nil {
		return false
	}
	defer res.Body.Close()
	var body struct {
		Nodes []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"nodes"`
	}
	if json.NewDecoder(res.Body).Decode(&body) != nil || len(body.Nodes) != len(c.Nodes) {
		return false
	}
	for _, bn := range body.Nodes {
		if bn.Status != "HEALTHY" {
			return false
		}
	}
	return true
}

func tail(path string, lines int) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	var all []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		all = append(all, sc.Text())
	}
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// RaftRole returns node i's Raft state ("Leader", "Follower", …) as its
// /v1/cluster/statistics reports it, or "unknown".
func (c *Cluster) RaftRole(i int) string {
	hc := &http.Client{Timeout: 5 * time.Second}
	res, err := hc.Get(c.Nodes[i].URL + "/v1/cluster/statistics")
	if err != nil {
		return "unknown"
	}
	defer res.Body.Close()
	var body struct {
		Statistics []struct {
			Name string `json:"name"`
			Raft struct {
				State string `json:"state"`
			} `json:"raft"`
		} `json:"statistics"`
	}
	if json.NewDecoder(res.Body).Decode(&body) != nil {
		return "unknown"
	}
	for _, s := range body.Statistics {
		if s.Name == c.Nodes[i].Name {
			return s.Raft.State
		}
	}
	return "unknown"
}
