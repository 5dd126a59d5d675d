# OpenStack sushy against the emulator: log in (a session whose password is a configured token),
# list the CXL fabric's endpoints with sushy's Fabric resource, read the switch and its ports, create
# a connection and wait on its task with sushy's TaskMonitor, then delete it. Prints one JSON line.
import json
import sys

import sushy
from sushy.taskmonitor import TaskMonitor

base, token, initiator, target = sys.argv[1:5]
s = sushy.Sushy(base, username='fm', password=token, verify=False)
fab = s.get_fabric('/redfish/v1/Fabrics/CXL')
endpoints = sorted(e.identity for e in fab.endpoints.get_members())
conn = s._conn
sw = conn.get('/redfish/v1/Fabrics/CXL/Switches/Switch0').json()
ports = conn.get(sw['Ports']['@odata.id']).json()
body = {'Links': {'InitiatorEndpoints': [{'@odata.id': initiator}], 'TargetEndpoints': [{'@odata.id': target}]}}
r = conn.post('/redfish/v1/Fabrics/CXL/Connections', data=body)
tm = TaskMonitor.from_response(conn, r, '/redfish/v1/Fabrics/CXL/Connections')
tm.wait(30)
done = conn.get(tm.task_monitor_uri).json()
created = done['Links']['CreatedResources'][0]['@odata.id']
made = conn.get(created).json()
r = conn.delete(created)
TaskMonitor.from_response(conn, r, created).wait(30)
left = [m['@odata.id'] for m in conn.get('/redfish/v1/Fabrics/CXL/Connections').json()['Members']]
print(json.dumps({'fabricType': str(fab.fabric_type), 'endpoints': endpoints, 'switchType': sw['SwitchType'],
                  'ports': ports['Members@odata.count'], 'task': done['TaskState'], 'created': created,
                  'createdTarget': made['Links']['TargetEndpoints'][0]['@odata.id'], 'after': left}))
