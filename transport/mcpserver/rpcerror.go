package mcpserver

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// notHandled begins go-sdk's message for a method it does not serve (its
// internal jsonrpc2.ErrNotHandled).
const notHandled = "JSON RPC not handled"

// methodNotFound makes an unknown method a JSON-RPC answer. go-sdk refuses
// one with HTTP 400 and a line of text for every protocol version before
// 2026-07-28, which clients report as a transport failure; JSON-RPC wants
// the error -32601 for a request, and no answer at all for a notification
// (HTTP 202, as for any accepted notification). The SDK's answers are single
// JSON bodies (stateless, JSONResponse), so buffering one costs little.
func methodNotFound(sdk http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			sdk.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "failed to read body", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		buf := &bufferedWriter{header: http.Header{}}
		sdk.ServeHTTP(buf, r)
		if buf.status == http.StatusBadRequest && strings.HasPrefix(buf.body.String(), notHandled) {
			if msg, err := jsonrpc.DecodeMessage(body); err == nil {
				if req, ok := msg.(*jsonrpc.Request); ok {
					if !req.IsCall() {
						w.WriteHeader(http.StatusAccepted)
						return
					}
					raw, err := jsonrpc.EncodeMessage(&jsonrpc.Response{ID: req.ID, Error: &jsonrpc.Error{
						Code: jsonrpc.CodeMethodNotFound, Message: fmt.Sprintf("method not found: %q", req.Method)}})
					if err == nil {
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(http.StatusOK)
						_, _ = w.Write(raw)
						return
					}
				}
			}
		}
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	})
}

// bufferedWriter keeps an answer until methodNotFound has looked at it.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
