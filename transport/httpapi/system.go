package httpapi

import (
	"bytes"
	"crypto/subtle"
	"fmt"

	"github.com/humd/humd/storage"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
	"sigs.k8s.io/yaml"
)

// Health is GET /api/health.
type Health struct {
	Status  string `json:"status" jsonschema:"enum=ok"`
	Version string `json:"version"`
}

// Document is an OpenAPI 3.1 document, as OpenAPI builds it; its parts are
// the OpenAPI objects, which this document does not describe again.
type Document struct {
	OpenAPI    string           `json:"openapi"`
	Info       map[string]any   `json:"info" doc:"OpenAPI Info Object"`
	Servers    []map[string]any `json:"servers"`
	Tags       []map[string]any `json:"tags"`
	Paths      map[string]any   `json:"paths" doc:"OpenAPI Paths Object"`
	Components map[string]any   `json:"components" doc:"OpenAPI Components Object"`
}

func (Document) JSONSchemaExtend(s Schema) {
	SetProp(s, "servers", Arr(FreeForm("OpenAPI Server Object")))
	SetProp(s, "tags", Arr(FreeForm("OpenAPI Tag Object")))
}

// systemRoutes are the edge's own: health, metrics and this document.
func (s *Server) systemRoutes() []*Route {
	s.metrics = fasthttpadaptor.NewFastHTTPHandler(promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{}))
	return []*Route{
		{Method: "GET", Path: "/api/health", OpID: "getHealth", Summary: "Liveness and version", Tag: "System", Auth: Public, Quiet: true,
			Responses: Answer[Health](200), Handle: s.getHealth},
		{Method: "GET", Path: "/metrics", OpID: "getMetrics", Summary: "Prometheus metrics", Tag: "System", Auth: Public, Quiet: true,
			Fails: []int{401}, Responses: Answer[PlainText](200), Handle: s.getMetrics},
		{Method: "GET", Path: "/openapi.json", OpID: "getOpenAPI", Summary: "This document", Tag: "System", Auth: Public, Quiet: true,
			Responses: Answer[Document](200), Handle: s.getOpenAPI},
		{Method: "GET", Path: "/openapi.yaml", OpID: "getOpenAPIYAML", Summary: "This document as YAML", Tag: "System", Auth: Public, Quiet: true,
			Responses: Answer[YAML](200), Handle: s.getOpenAPIYAML},
	}
}

func (s *Server) getHealth(c *Call) error {
	return c.JSON(200, &Health{Status: "ok", Version: s.cfg.Version})
}

func (s *Server) getMetrics(c *Call) error {
	if want := s.cfg.MetricsToken; want != "" {
		got, ok := bytes.CutPrefix(c.Ctx.Request.Header.Peek("Authorization"), []byte("Bearer "))
		if !ok || subtle.ConstantTimeCompare(got, []byte(want)) != 1 {
			c.Ctx.Response.Header.Set("WWW-Authenticate", `Bearer realm="metrics"`)
			return fmt.Errorf("/metrics needs its token (HUMD_METRICS_TOKEN): %w", storage.ErrUnauthorized)
		}
	}
	s.metrics(c.Ctx)
	return nil
}

// getOpenAPI answers the document as built once (openAPIJSON): the table
// does not change while the server runs.
func (s *Server) getOpenAPI(c *Call) error {
	c.Ctx.SetContentType("application/json")
	c.Ctx.SetBody(s.openAPIJSON())
	return nil
}

func (s *Server) getOpenAPIYAML(c *Call) error {
	raw, err := yaml.JSONToYAML(s.openAPIJSON())
	if err != nil {
		return fmt.Errorf("httpapi: openapi yaml: %w", err)
	}
	return Text(c, 200, YAML(raw))
}
