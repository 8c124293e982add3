package twiliotest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// BrandReg is one A2P brand registration the fake took (Messaging v1
// BrandRegistrations). Status starts PENDING; SetBrandStatus moves it.
type BrandReg struct {
	SID, CustomerProfileBundleSID, A2PProfileBundleSID, BrandType string
	Status, FailureReason                                         string
}

// CampaignReg is one campaign (Compliance/Usa2p) the fake took. Status
// starts PENDING; SetCampaignStatus moves it.
type CampaignReg struct {
	SID, MessagingServiceSID, BrandSID, UseCase, Description, MessageFlow string
	Samples                                                               []string
	HasEmbeddedLinks, HasEmbeddedPhone                                    bool
	Status, Failure                                                       string
}

// SetBrandStatus sets a brand's status (APPROVED, FAILED, IN_REVIEW...) and
// failure reason, as Twilio's review would.
func (s *Server) SetBrandStatus(sid, status, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.brands[sid]; b != nil {
		b.Status, b.FailureReason = status, reason
	}
}

// SetCampaignStatus sets a campaign's status (VERIFIED, FAILED...) and the
// description of its first error.
func (s *Server) SetCampaignStatus(sid, status, failure string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.campaigns[sid]; c != nil {
		c.Status, c.Failure = status, failure
	}
}

// Brands answers the brand registrations taken so far.
func (s *Server) Brands() []BrandReg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return inOrder(s.brands, s.brandOrder)
}

// Campaigns answers the campaigns taken so far.
func (s *Server) Campaigns() []CampaignReg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return inOrder(s.campaigns, s.campaignOrder)
}

// inOrder copies the records of m in the order their SIDs were taken.
func inOrder[T any](m map[string]*T, order []string) []T {
	out := make([]T, 0, len(order))
	for _, sid := range order {
		out = append(out, *m[sid])
	}
	return out
}

// createBrand is POST /v1/a2p/BrandRegistrations with
// CustomerProfileBundleSid, A2PProfileBundleSid and BrandType.
func (s *Server) createBrand(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, failure{20001, 400, "Bad form body: " + err.Error()})
		return
	}
	f := r.PostForm
	b := &BrandReg{SID: newSID("BN"), CustomerProfileBundleSID: f.Get("CustomerProfileBundleSid"),
		A2PProfileBundleSID: f.Get("A2PProfileBundleSid"), BrandType: f.Get("BrandType"), Status: "PENDING"}
	if !strings.HasPrefix(b.CustomerProfileBundleSID, "BU") || !strings.HasPrefix(b.A2PProfileBundleSID, "BU") {
		s.fail(w, r, failure{20001, 400, "CustomerProfileBundleSid and A2PProfileBundleSid are required"})
		return
	}
	if b.BrandType == "" {
		b.BrandType = "STANDARD"
	}
	s.mu.Lock()
	s.brands[b.SID] = b
	s.brandOrder = append(s.brandOrder, b.SID)
	out := s.brandJSON(b)
	s.mu.Unlock()
	s.respond(w, r, http.StatusCreated, out)
}

// fetchBrand is GET /v1/a2p/BrandRegistrations/{sid}.
func (s *Server) fetchBrand(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b := s.brands[r.PathValue("bn")]
	var out map[string]any
	if b != nil {
		out = s.brandJSON(b)
	}
	s.mu.Unlock()
	if out == nil {
		s.fail(w, r, failure{20404, 404, "The requested resource was not found"})
		return
	}
	s.respond(w, r, http.StatusOK, out)
}

func (s *Server) brandJSON(b *BrandReg) map[string]any {
	now := time.Now().UTC().Format(time.RFC3339)
	var reason any
	if b.FailureReason != "" {
		reason = b.FailureReason
	}
	return map[string]any{"sid": b.SID, "account_sid": s.AccountSID, "customer_profile_bundle_sid": b.CustomerProfileBundleSID,
		"a2p_profile_bundle_sid": b.A2PProfileBundleSID, "brand_type": b.BrandType, "status": b.Status, "failure_reason": reason,
		"tcr_id": "B" + strings.ToUpper(b.SID[2:8]), "date_created": now, "date_updated": now, "mock": false,
		"url": s.URL + "/v1/a2p/BrandRegistrations/" + b.SID}
}

// createCampaign is POST /v1/Services/{mg}/Compliance/Usa2p: the brand must
// exist and be APPROVED (Twilio's 21711 otherwise).
func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, failure{20001, 400, "Bad form body: " + err.Error()})
		return
	}
	f := r.PostForm
	c := &CampaignReg{SID: newSID("QE"), MessagingServiceSID: r.PathValue("mg"), BrandSID: f.Get("BrandRegistrationSid"),
		UseCase: f.Get("UsAppToPersonUsecase"), Description: f.Get("Description"), MessageFlow: f.Get("MessageFlow"),
		Samples: f["MessageSamples"], Status: "PENDING"}
	c.HasEmbeddedLinks, _ = strconv.ParseBool(f.Get("HasEmbeddedLinks"))
	c.HasEmbeddedPhone, _ = strconv.ParseBool(f.Get("HasEmbeddedPhone"))
	s.mu.Lock()
	b := s.brands[c.BrandSID]
	if b == nil || b.Status != "APPROVED" {
		s.mu.Unlock()
		s.fail(w, r, failure{21711, 400, fmt.Sprintf("Brand %s is not approved", c.BrandSID)})
		return
	}
	for _, sid := range s.campaignOrder {
		if s.campaigns[sid].MessagingServiceSID == c.MessagingServiceSID {
			s.mu.Unlock()
			s.fail(w, r, failure{21712, 409, "This Messaging Service already has an A2P campaign"})
			return
		}
	}
	s.campaigns[c.SID] = c
	s.campaignOrder = append(s.campaignOrder, c.SID)
	out := campaignJSON(c)
	s.mu.Unlock()
	s.respond(w, r, http.StatusCreated, out)
}

// listCampaigns is GET /v1/Services/{mg}/Compliance/Usa2p (one page).
func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) {
	mg := r.PathValue("mg")
	s.mu.Lock()
	items := []any{}
	for _, sid := range s.campaignOrder {
		if c := s.campaigns[sid]; c.MessagingServiceSID == mg {
			items = append(items, campaignJSON(c))
		}
	}
	s.mu.Unlock()
	url := s.URL + "/v1/Services/" + mg + "/Compliance/Usa2p?PageSize=50&Page=0"
	s.respond(w, r, http.StatusOK, map[string]any{"compliance": items, "meta": map[string]any{"page": 0, "page_size": 50,
		"first_page_url": url, "previous_page_url": nil, "url": url, "next_page_url": nil, "key": "compliance"}})
}

// AddCampaign puts a campaign on a service as if registered earlier (an
// answer humd never stored).
func (s *Server) AddCampaign(c CampaignReg) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cc := c
	s.campaigns[c.SID] = &cc
	s.campaignOrder = append(s.campaignOrder, c.SID)
}

// fetchCampaign is GET /v1/Services/{mg}/Compliance/Usa2p/{qe}.
func (s *Server) fetchCampaign(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c := s.campaigns[r.PathValue("qe")]
	var out map[string]any
	if c != nil && c.MessagingServiceSID == r.PathValue("mg") {
		out = campaignJSON(c)
	}
	s.mu.Unlock()
	if out == nil {
		s.fail(w, r, failure{20404, 404, "The requested resource was not found"})
		return
	}
	s.respond(w, r, http.StatusOK, out)
}

func campaignJSON(c *CampaignReg) map[string]any {
	var errs []any
	if c.Failure != "" {
		errs = append(errs, map[string]any{"code": 30896, "description": c.Failure})
	}
	return map[string]any{"sid": c.SID, "messaging_service_sid": c.MessagingServiceSID, "brand_registration_sid": c.BrandSID,
		"us_app_to_person_usecase": c.UseCase, "description": c.Description, "message_flow": c.MessageFlow,
		"message_samples": c.Samples, "has_embedded_links": c.HasEmbeddedLinks, "has_embedded_phone": c.HasEmbeddedPhone,
		"campaign_status": c.Status, "campaign_id": "C" + strings.ToUpper(c.SID[2:8]), "errors": errs}
}
