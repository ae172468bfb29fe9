package snssvc

import (
	"encoding/json"
	"encoding/xml"
	"net/http"

	"github.com/byok-dev/byok/internal/sandbox/awsproto"
	"github.com/byok-dev/byok/internal/sandbox/svc"
)

func meta(c *svc.Call) awsproto.ResponseMetadata {
	return awsproto.ResponseMetadata{RequestID: c.RequestID}
}

type createTopicResponse struct {
	XMLName  struct{}                  `xml:"CreateTopicResponse"`
	Xmlns    string                    `xml:"xmlns,attr"`
	TopicArn string                    `xml:"CreateTopicResult>TopicArn"`
	Meta     awsproto.ResponseMetadata `xml:"ResponseMetadata"`
}

type emptyResponse struct {
	XMLName string                    `xml:"-"`
	Xmlns   string                    `xml:"xmlns,attr"`
	Meta    awsproto.ResponseMetadata `xml:"ResponseMetadata"`
}

// MarshalXML names the element after the operation.
func (r emptyResponse) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	type plain struct {
		Xmlns string                    `xml:"xmlns,attr"`
		Meta  awsproto.ResponseMetadata `xml:"ResponseMetadata"`
	}
	return e.EncodeElement(plain{r.Xmlns, r.Meta}, xml.StartElement{Name: xml.Name{Local: r.XMLName}})
}

type topicMember struct {
	TopicArn string `xml:"TopicArn"`
}

type listTopicsResponse struct {
	XMLName struct{}                  `xml:"ListTopicsResponse"`
	Xmlns   string                    `xml:"xmlns,attr"`
	Topics  []topicMember             `xml:"ListTopicsResult>Topics>member"`
	Meta    awsproto.ResponseMetadata `xml:"ResponseMetadata"`
}

type publishResponse struct {
	XMLName   struct{}                  `xml:"PublishResponse"`
	Xmlns     string                    `xml:"xmlns,attr"`
	MessageID string                    `xml:"PublishResult>MessageId"`
	Meta      awsproto.ResponseMetadata `xml:"ResponseMetadata"`
}

type subscribeResponse struct {
	XMLName         struct{}                  `xml:"SubscribeResponse"`
	Xmlns           string                    `xml:"xmlns,attr"`
	SubscriptionArn string                    `xml:"SubscribeResult>SubscriptionArn"`
	Meta            awsproto.ResponseMetadata `xml:"ResponseMetadata"`
}

type subMember struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
	Owner           string `xml:"Owner"`
	Protocol        string `xml:"Protocol"`
	Endpoint        string `xml:"Endpoint"`
	TopicArn        string `xml:"TopicArn"`
}

type subsResult struct {
	Subs []subMember `xml:"Subscriptions>member"`
}

type listSubscriptionsResponse struct {
	XMLName string
	Xmlns   string
	Result  subsResult
	Meta    awsproto.ResponseMetadata
}

// MarshalXML names the element and its result after the operation.
func (r listSubscriptionsResponse) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	op := r.XMLName[:len(r.XMLName)-len("Response")]
	start := xml.StartElement{Name: xml.Name{Local: r.XMLName}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: r.Xmlns}}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeElement(r.Result, xml.StartElement{Name: xml.Name{Local: op + "Result"}}); err != nil {
		return err
	}
	if err := e.EncodeElement(r.Meta, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// AdminHandler implements svc.Admin: GET /messages[?topic=ARN] lists the
// published messages as JSON.
func (s *Service) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /messages", func(w http.ResponseWriter, r *http.Request) {
		topic := r.URL.Query().Get("topic")
		out := []Message{}
		for _, m := range s.Messages() {
			if topic == "" || m.TopicARN == topic {
				out = append(out, m)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	return mux
}

// Messages returns the published messages, oldest first.
func (s *Service) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}
