package telegramtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
)

// maxFieldSize bounds a single non-file form field so a broken client cannot
// make the fake server buffer unbounded data.
const maxFieldSize = 8 << 20

// apiError is a Telegram error answer.
type apiError struct {
	code        int
	description string
	retryAfter  int
}

var (
	errUnauthorized = &apiError{code: http.StatusUnauthorized, description: "Unauthorized"}
	errNotFound     = &apiError{code: http.StatusNotFound, description: "Not Found"}
	errBlocked      = &apiError{code: http.StatusForbidden, description: "Forbidden: bot was blocked by the user"}
)

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func conflict(description string) *apiError {
	return &apiError{code: http.StatusConflict, description: "Conflict: " + description}
}

// injectedError builds the answer for a Fail()ed call, worded like Telegram.
func injectedError(code, retryAfter int) *apiError {
	e := &apiError{code: code, description: http.StatusText(code)}
	if code == http.StatusTooManyRequests {
		e.description = fmt.Sprintf("Too Many Requests: retry after %d", retryAfter)
		e.retryAfter = retryAfter
	}
	if e.description == "" {
		e.description = "Error " + strconv.Itoa(code)
	}
	return e
}

// upload describes a file part of a multipart request.
type upload struct {
	filename string
	size     int64
}

// apiRequest is a decoded Bot API request. Telegram treats every parameter as
// a string (objects are JSON text), so that is how they are kept here.
type apiRequest struct {
	params  map[string]string
	uploads map[string]upload
}

// parseRequest decodes query string and body. It always returns a usable
// request, so that even a malformed call can be recorded.
func parseRequest(r *http.Request) (*apiRequest, error) {
	req := &apiRequest{params: make(map[string]string), uploads: make(map[string]upload)}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			req.params[k] = v[0]
		}
	}

	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return req, nil
	}
	mediaType, ctParams, err := mime.ParseMediaType(ct)
	if err != nil {
		return req, fmt.Errorf("unsupported Content-Type %q: %w", ct, err)
	}
	switch mediaType {
	case "multipart/form-data":
		err = req.parseMultipart(r.Body, ctParams["boundary"])
	case "application/json":
		err = req.parseJSON(r.Body)
	case "application/x-www-form-urlencoded":
		if err = r.ParseForm(); err == nil {
			for k, v := range r.PostForm {
				if len(v) > 0 {
					req.params[k] = v[0]
				}
			}
		}
	default:
		err = fmt.Errorf("unsupported Content-Type %q", mediaType)
	}
	return req, err
}

func (req *apiRequest) parseMultipart(body io.Reader, boundary string) error {
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		// go-telegram/bot sends an empty body (no parts at all) for methods
		// without parameters; the reader reports that as a wrapped EOF.
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("can't parse multipart body: %w", err)
		}
		name := part.FormName()
		if filename := part.FileName(); filename != "" {
			// Uploaded files are not kept, only their name and size: tests
			// assert on what was sent, not on the bytes.
			n, err := io.Copy(io.Discard, part)
			if err != nil {
				return fmt.Errorf("can't read file %q: %w", filename, err)
			}
			req.params[name] = "@" + filename
			req.uploads[name] = upload{filename: filename, size: n}
			continue
		}
		value, err := io.ReadAll(io.LimitReader(part, maxFieldSize))
		if err != nil {
			return fmt.Errorf("can't read field %q: %w", name, err)
		}
		req.params[name] = string(value)
	}
}

func (req *apiRequest) parseJSON(body io.Reader) error {
	data, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("can't read body: %w", err)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return fmt.Errorf("can't parse JSON body: %w", err)
	}
	for k, raw := range fields {
		// Strings are unquoted, everything else keeps its JSON text: that
		// matches what a multipart request carries for the same parameter.
		var str string
		if json.Unmarshal(raw, &str) == nil {
			req.params[k] = str
			continue
		}
		if string(raw) == "null" {
			continue
		}
		req.params[k] = string(raw)
	}
	return nil
}

func (req *apiRequest) str(name string) string { return req.params[name] }

// int64Param parses an optional integer parameter; absent means 0.
func (req *apiRequest) int64Param(name string) (int64, *apiError) {
	v := strings.TrimSpace(req.params[name])
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, badRequest("invalid %s specified", name)
	}
	return n, nil
}

func (req *apiRequest) intParam(name string) (int, *apiError) {
	n, aerr := req.int64Param(name)
	return int(n), aerr
}

// boolParam accepts the spellings Telegram accepts for booleans.
func (req *apiRequest) boolParam(name string) bool {
	switch strings.ToLower(strings.TrimSpace(req.params[name])) {
	case "true", "1", "yes", "on":
		return true
	}
	return false
}
