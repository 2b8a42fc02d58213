package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/semsearch/semsearch/internal/testenv"
	"github.com/semsearch/semsearch/openapi/openapitest"
)

// binPath is the semsearch binary built once for the end-to-end tests, which
// run it as a user would: a child process with its own data dir and port.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "semsearch-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "semsearch")
	if b := os.Getenv(envTestBinary); b != "" {
		binPath = b // a test re-run inside a network namespace reuses its parent's build
	} else if err := buildBinary(binPath); err != nil {
		fmt.Fprintln(os.Stderr, "build semsearch:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// envTestBinary passes the built binary to a test re-run in a namespace.
const envTestBinary = "SEMSEARCH_TEST_BINARY"

func buildBinary(path string) error {
	build := exec.Command("go", "build", "-o", path, ".")
	build.Stderr = os.Stderr
	return build.Run()
}

// modelsDir returns the local weights directory, skipping (or failing in CI)
// when `make model` has not been run.
func modelsDir(t testing.TB) string {
	t.Helper()
	dir := testenv.ModelsDir(t)
	_, err := os.Stat(filepath.Join(dir, "all-MiniLM-L6-v2", "model.safetensors"))
	testenv.Need(t, err == nil, "local model weights are missing: run `make model`")
	return dir
}

// cli runs the binary with the given data dir and returns stdout; it fails the
// test when the exit code is not want.
func cli(t testing.TB, env []string, want int, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("semsearch %s: %v", strings.Join(args, " "), err)
	}
	if code != want {
		t.Fatalf("semsearch %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, stdout.String(), stderr.String())
	}
	return stdout.Bytes()
}

// serverProc is a running `semsearch serve` child process.
type serverProc struct {
	URL  string
	cmd  *exec.Cmd
	done chan error
}

// servingLine is what `serve` logs once it listens; group 1 is the port.
var servingLine = regexp.MustCompile(`msg=serving url=http://(?:127\.0\.0\.1|0\.0\.0\.0|\[::\]):(\d+)/`)

// startServer starts `semsearch serve` on 127.0.0.1:0 and waits until it
// logs the address it listens on. The server stops at cleanup.
func startServer(t testing.TB, env []string, args ...string) *serverProc {
	t.Helper()
	return launchServer(t, env, "127.0.0.1:0", false, args...)
}

// launchServer starts `semsearch serve --addr addr args...`; its URL is on
// loopback whatever addr is. A quiet server's log is counted, and only its
// warnings and errors are copied into the test log (a load test makes
// hundreds of thousands of lines).
func launchServer(t testing.TB, env []string, addr string, quiet bool, args ...string) *serverProc {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &serverProc{cmd: cmd, done: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		lines, kept := 0, 0
		for sc.Scan() {
			line := sc.Text()
			lines++
			if m := servingLine.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
			important := strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR")
			if !quiet || (important && kept < 20) {
				kept++
				t.Log("server:", line)
			}
		}
		if quiet {
			t.Logf("server: %d log lines", lines)
		}
		s.done <- cmd.Wait()
	}()
	select {
	case port := <-found:
		s.URL = "http://127.0.0.1:" + port
	case err := <-s.done:
		t.Fatalf("serve --addr %s %v exited before listening: %v", addr, args, err)
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("serve --addr %s %v did not report its address within 2 minutes", addr, args)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop interrupts the server and waits for a clean exit.
func (s *serverProc) stop(t testing.TB) {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("server exit: %v", err)
		}
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		t.Error("server did not stop within 30s of SIGINT")
	}
}

// do sends a request and decodes a JSON answer into out (when non-nil),
// failing the test when the status is not want.
func do(t testing.TB, method, url string, body any, want int, out any, header ...string) {
	t.Helper()
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	status, _, data := send(t, method, url, raw, header...)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, status, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, url, data, err)
		}
	}
}

// specClient is an HTTP client that checks every exchange against the
// OpenAPI document (a mismatch fails t).
func specClient(t testing.TB) *http.Client {
	return &http.Client{Transport: &openapitest.Transport{T: t, V: openapitest.MustLoad(t)}}
}

// send sends a raw request and returns the status, headers and body.
func send(t testing.TB, method, url string, body []byte, header ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := specClient(t).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}
