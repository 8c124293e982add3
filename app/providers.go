package app

import (
	"context"
	"io"
	"log/slog"

	"github.com/humd/humd/actors/addresssession"
	"github.com/humd/humd/actors/clock"
	"github.com/humd/humd/actors/service"
	"github.com/humd/humd/actors/system"
	"github.com/humd/humd/storage"
)

// ImportProviders loads a provider catalog CSV into st through the service
// layer, for humd import (an offline command: humd is stopped, so st is the
// only open handle of the data directory). It builds only what the import
// needs: an actor system and the address-session service that owns the
// catalog.
func ImportProviders(st storage.Store, r io.Reader, logger *slog.Logger) (int, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	sys := system.New(logger)
	defer sys.Shutdown()
	addr := addresssession.New(addresssession.Config{System: sys, Store: st, Clock: clock.Real{}, Logger: logger})
	svc := service.New(service.Deps{Store: st, Clock: clock.Real{}, Address: addr})
	return svc.ImportProviders(context.Background(), r)
}
