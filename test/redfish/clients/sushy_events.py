# OpenStack sushy against the emulator's EventService: log in, subscribe a listener with sushy's
# EventDestinationCollection.create, list the subscriptions, send a test event with sushy's
# EventService.submit_test_event, wait until the service reports it delivered, and unsubscribe.
# Prints one JSON line.
import json
import sys
import time

import sushy

base, token, destination = sys.argv[1:4]
s = sushy.Sushy(base, username='fm', password=token, verify=False)
es = s.get_event_service()
sub = es.subscriptions.create({'Destination': destination, 'Protocol': 'Redfish', 'Context': 'sushy',
                               'EventTypes': ['ResourceUpdated']})
members = sorted(m.identity for m in es.subscriptions.get_members())
es.submit_test_event('42', '2026-01-01T00:00:00Z', 'ResourceUpdated', 'hello from sushy', ['CXL'],
                     'ResourceEvent.1.4.ResourceCreated', '/redfish/v1/Fabrics/CXL', 'OK')
uri = '/redfish/v1/EventService/Subscriptions/' + sub.identity
delivered = 0
deadline = time.time() + 20
while time.time() < deadline:
    delivered = s._conn.get(uri).json()['Oem']['Cxlemu']['Delivered']
    if delivered >= 1:
        break
    time.sleep(0.05)
sub.delete()
after = [m.identity for m in es.subscriptions.get_members()]
print(json.dumps({'id': sub.identity, 'destination': sub.destination, 'context': sub.context,
                  'protocol': sub.protocol, 'members': members, 'retryAttempts': es.delivery_retry_attempts,
                  'delivered': delivered, 'after': after}))
