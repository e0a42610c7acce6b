"""A whole export through Google's Python client (googleapiclient), built from Dataport's discovery document.

Run by test/api/python-client.test.ts with /usr/bin/python3 (Debian's python3-googleapi):

    python3 export_with_python_client.py ROOT_URL TOKEN OTHER_TOKEN

TOKEN is a one-time grant of myactivity.maps, chrome.bookmarks and play.purchases; OTHER_TOKEN is another
user's grant. Prints one JSON object with what it saw; any mismatch raises (a non-zero exit with a traceback).
"""

import io
import json
import sys
import time
import urllib.request
import zipfile

import google.oauth2.credentials
import httplib2
from googleapiclient.discovery import build_from_document
from googleapiclient.errors import HttpError

ROOT, TOKEN, OTHER_TOKEN = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
DEADLINE_SECONDS = 30


def service(token, http=None):
    with urllib.request.urlopen(ROOT + "/$discovery/rest?version=v1") as response:
        document = response.read().decode("utf-8")
    if http is not None:
        return build_from_document(document, http=http)
    return build_from_document(document, credentials=google.oauth2.credentials.Credentials(token))


def error_of(request):
    """The HttpError a request raises: (HTTP status, the error object of the body, the client's reason)."""
    try:
        request.execute()
    except HttpError as e:
        return e.resp.status, json.loads(e.content.decode("utf-8"))["error"], e._get_reason()
    raise AssertionError("expected an HttpError")


def wait_for(api, job_id):
    deadline = time.monotonic() + DEADLINE_SECONDS
    name = "archiveJobs/%s/portabilityArchiveState" % job_id
    while True:
        state = api.archiveJobs().getPortabilityArchiveState(name=name).execute()
        if state["state"] != "IN_PROGRESS":
            return state
        if time.monotonic() > deadline:
            raise AssertionError("job %s still IN_PROGRESS after %d s" % (job_id, DEADLINE_SECONDS))
        time.sleep(0.1)


def main():
    api = service(TOKEN)
    seen = {}

    # initiate -> poll -> download the URL and open the ZIP.
    job = api.portabilityArchive().initiate(body={"resources": ["myactivity.maps"]}).execute()
    assert job["accessType"] == "ACCESS_TYPE_ONE_TIME", job
    state = wait_for(api, job["archiveJobId"])
    assert state["state"] == "COMPLETE", state
    assert state["name"] == "archiveJobs/%s/portabilityArchiveState" % job["archiveJobId"], state
    with urllib.request.urlopen(state["urls"][0]) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    assert archive.testzip() is None
    seen["zipEntries"] = sorted(archive.namelist())

    # Error paths, as Google's client reports them.
    status, error, reason = error_of(api.archiveJobs().retry(name="archiveJobs/" + job["archiveJobId"], body={}))
    seen["retryComplete"] = {"httpStatus": status, "status": error["status"], "message": error["message"], "reason": reason}
    status, error, reason = error_of(api.portabilityArchive().initiate(body={"resources": ["myactivity.maps"]}))
    seen["initiateAgain"] = {
        "httpStatus": status,
        "status": error["status"],
        "reasons": [d.get("reason") for d in error.get("details", [])],
    }
    status, error, reason = error_of(
        service(OTHER_TOKEN).archiveJobs().getPortabilityArchiveState(
            name="archiveJobs/%s/portabilityArchiveState" % job["archiveJobId"]
        )
    )
    seen["otherUsersJob"] = {"httpStatus": status, "status": error["status"]}
    # A token the server does not know (plain httplib2: google-auth would try to refresh it on the 401).
    request = service(None, httplib2.Http()).accessType().check(body={})
    request.headers["authorization"] = "Bearer not-a-token"
    status, error, reason = error_of(request)
    seen["badToken"] = {"httpStatus": status, "status": error["status"]}

    # A batch: new_batch_http_request() posts to the discovery document's rootUrl + batchPath.
    results = {}

    def collect(request_id, response, exception):
        if exception is None:
            results[request_id] = {"response": response}
        else:
            results[request_id] = {
                "httpStatus": exception.resp.status,
                "error": json.loads(exception.content.decode("utf-8"))["error"],
            }

    batch = api.new_batch_http_request(callback=collect)
    batch.add(api.accessType().check(body={}), request_id="check")
    batch.add(
        api.archiveJobs().getPortabilityArchiveState(name="archiveJobs/%s/portabilityArchiveState" % job["archiveJobId"]),
        request_id="state",
    )
    batch.add(api.portabilityArchive().initiate(body={"resources": ["chrome.bookmarks"]}), request_id="initiate")
    batch.add(api.archiveJobs().retry(name="archiveJobs/" + job["archiveJobId"], body={}), request_id="retry")
    batch.add(api.archiveJobs().cancel(name="archiveJobs/0123456789abcdef0123456789abcdef", body={}), request_id="missing")
    batch.execute(http=google_auth_http(TOKEN))
    seen["batch"] = results

    # The job the batch started is a real job: it completes like any other.
    batch_job = results["initiate"]["response"]["archiveJobId"]
    seen["batchJobState"] = wait_for(api, batch_job)["state"]

    print(json.dumps(seen, sort_keys=True))


def google_auth_http(token):
    import google_auth_httplib2

    return google_auth_httplib2.AuthorizedHttp(google.oauth2.credentials.Credentials(token), http=httplib2.Http())


if __name__ == "__main__":
    main()
