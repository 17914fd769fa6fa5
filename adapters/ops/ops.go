// Package ops is the operations endpoint: /healthz for load balancers and
// orchestrators, /metrics in Prometheus format. It is off unless OPS_ADDR
// is set.
package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Stats are the numbers read from the database at each scrape.
type Stats interface {
	StageCounts(ctx context.Context) (map[string]int, error)
	OpenTicketCount(ctx context.Context) (int, error)
}

// Metrics records what the bot does. Its methods are safe for concurrent
// use and cheap enough for every update.
type Metrics struct {
	reg        *prometheus.Registry
	updates    *prometheus.CounterVec
	latency    prometheus.Histogram
	errors     prometheus.Counter
	sent       *prometheus.CounterVec
	retryAfter prometheus.Counter
}

// NewMetrics registers the bot's metrics (and Go's own) on a registry of
// its own; stats may be nil.
func NewMetrics(stats Stats, log *slog.Logger) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "buyerguide_updates_total", Help: "Updates handled, by kind.",
		}, []string{"kind"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "buyerguide_update_duration_seconds", Help: "Time to handle one update in the engine (load, transition, render, save).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "buyerguide_update_errors_total", Help: "Updates whose handling failed.",
		}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "buyerguide_telegram_requests_total", Help: "Bot API calls made, by method.",
		}, []string{"method"}),
		retryAfter: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "buyerguide_telegram_429_total", Help: "429 Too Many Requests answers from Telegram.",
		}),
	}
	m.reg.MustRegister(m.updates, m.latency, m.errors, m.sent, m.retryAfter,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if stats != nil {
		m.reg.MustRegister(&dbCollector{stats: stats, log: log})
	}
	return m
}

// Observe records one handled update (the engine's observer).
func (m *Metrics) Observe(kind, stage string, d time.Duration, err error) {
	m.updates.WithLabelValues(kind).Inc()
	m.latency.Observe(d.Seconds())
	if err != nil {
		m.errors.Inc()
	}
}

// Sent records one Bot API call.
func (m *Metrics) Sent(method string) { m.sent.WithLabelValues(method).Inc() }

// RetryAfter records one 429.
func (m *Metrics) RetryAfter() { m.retryAfter.Inc() }

// dbCollector reads users per stage and open tickets at scrape time.
type dbCollector struct {
	stats Stats
	log   *slog.Logger
}

var (
	stageDesc   = prometheus.NewDesc("buyerguide_users", "Users by the guide stage they are at.", []string{"stage"}, nil)
	ticketsDesc = prometheus.NewDesc("buyerguide_open_tickets", "Support tickets open now.", nil, nil)
)

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- stageDesc
	ch <- ticketsDesc
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stages, err := c.stats.StageCounts(ctx)
	if err != nil {
		c.log.Warn("metrics: users per stage", "err", err)
	}
	for stage, n := range stages {
		ch <- prometheus.MustNewConstMetric(stageDesc, prometheus.GaugeValue, float64(n), stage)
	}
	open, err := c.stats.OpenTicketCount(ctx)
	if err != nil {
		c.log.Warn("metrics: open tickets", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(ticketsDesc, prometheus.GaugeValue, float64(open))
}

// Check is one health check: nil when healthy.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// Handler serves /healthz, /metrics and Go's profiles under /debug/pprof/
// but not the command line, which may hold the token (bind OPS_ADDR to a
// private address: profiles show the program's insides).
func Handler(m *Metrics, checks []Check) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		var failed []string
		for _, c := range checks {
			if err := c.Run(ctx); err != nil {
				failed = append(failed, c.Name+": "+err.Error())
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if len(failed) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, strings.Join(failed, "\n"))
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// Serve runs the endpoint on ln until ctx ends.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	log.Info("ops endpoint", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("ops: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("ops: shutdown: %w", err)
	}
	return nil
}
