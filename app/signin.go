package app

import (
	"net/url"

	"github.com/humd/humd/storage/tenancy"
	"github.com/humd/humd/storage/websessions"
	"github.com/humd/humd/transport/api/authapi"
)

// wireSignIn opens the console's session store and, on the first start,
// gives the bootstrap admin a way into the console: HUMD_ADMIN_PASSWORD as
// their password, or else a one-time sign-in link (SignInURL), printed
// beside the admin key.
func (a *App) wireSignIn(ten *tenancy.Repo) error {
	a.Sessions = &websessions.Repo{Store: a.Store, Idle: a.cfg.SessionIdle, MaxAge: a.cfg.SessionMaxAge}
	boot := a.Bootstrap
	if boot == nil || !boot.Created {
		return nil
	}
	if a.cfg.AdminPassword != "" {
		return ten.SetPassword(boot.User.ID, a.cfg.AdminPassword)
	}
	token, err := a.Sessions.CreateLink(boot.User.ID, a.Clock.Now())
	if err != nil {
		return err
	}
	a.SignInURL = a.cfg.PublicURL + "/auth/link?token=" + url.QueryEscape(token)
	return nil
}

// ConsoleURL is where a browser signs in.
func (a *App) ConsoleURL() string { return a.cfg.PublicURL + "/auth/login" }

func (c *Config) oidc() authapi.OIDC {
	return authapi.OIDC{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret}
}
