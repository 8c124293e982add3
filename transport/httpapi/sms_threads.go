package httpapi

import (
	"github.com/humd/humd/transport/actorcall"
)

const askTimeout = AskTimeout

// askThread asks the actor of (number, contact) through the directory.
func askThread[T any](s *Server, orgID, numberID, e164 string, msg any) (T, error) {
	return actorcall.Await[T](s.deps.Threads.Request(orgID, numberID, e164, msg, askTimeout), msg)
}
